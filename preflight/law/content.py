"""Message content rules: public shorteners, link and opt-out wording, restricted topics.

Sources:
- CTIA Messaging Principles and Best Practices (2023) 5.1.2.1: the first message of a
  recurring program gives opt-out (STOP) instructions; Twilio error 30828 (call to
  action).
- Twilio error 30892: public URL shorteners get messages filtered; the list below is
  RULES.md's.
- Twilio errors 30963 / 30964: links should use https.
- Twilio error 30889: links and phone numbers in a body should match the campaign's
  ``has_embedded_links`` / ``has_embedded_phone``.
- Restricted topics: Twilio "Forbidden message categories for SMS and MMS in the US
  and Canada" and the campaign-content rejections 30940-30958 (RULES.md). Where Twilio
  documents a category-specific rejection code it is given (30860 cannabis/CBD, 30863
  third-party debt collection, 30873 sex, 30875 alcohol, 30878 tobacco/vape, 30950
  credit repair); the others cite the 30940-30958 range.

Topic words are matched as whole words (and listed plural forms), never as
substrings, so "classic", "Scunthorpe" or "winery" raise nothing they should not; a
hyphen in a listed word matches a space or a hyphen ("debt-relief" finds "debt
relief"). Ambiguous everyday words ("bet", "slots", "weed", "gun" as in glue gun) are
left out: the finding is a warning and noise would teach users to ignore it.
"""

from __future__ import annotations

from dataclasses import dataclass

OPT_OUT_RULE = "CTIA Messaging Principles 5.1.2.1"
SHORTENER_RULE = "Twilio error 30892"
INSECURE_LINK_RULE = "Twilio errors 30963, 30964"
UNDECLARED_EMBED_RULE = "Twilio error 30889"
RESTRICTED_RANGE = "Twilio errors 30940-30958"

PUBLIC_SHORTENERS = frozenset(
    {
        "bit.ly", "tinyurl.com", "goo.gl", "ow.ly", "t.co", "is.gd", "buff.ly",
        "rebrand.ly", "cutt.ly", "shorturl.at", "tiny.cc", "rb.gy", "t.ly", "s.id",
        "v.gd",
    }
)

# Top-level domains recognised in bare links ("bit.ly/x", "example.com"). A scheme
# (http://, https://) or "www." makes any domain a link; without one the TLD must be
# listed here, so "e.g." or "Mr.Smith" are not taken for links.
BARE_LINK_TLDS = frozenset(
    {
        "com", "net", "org", "edu", "gov", "mil", "info", "biz", "io", "co", "ly",
        "gd", "gl", "me", "us", "app", "ai", "tv", "xyz", "link", "to", "sh", "id",
        "at", "cc", "gy", "site", "online", "shop", "store", "club", "live", "page",
        "dev", "ca", "uk", "de", "fr", "es", "it", "nl", "au", "in", "mx", "ws",
        "health", "bank", "finance", "news", "blog", "tech", "cloud",
    }
)

# Regular expressions (case-insensitive, searched) that count as opt-out instructions.
OPT_OUT_INSTRUCTION_PATTERNS: tuple[str, ...] = (
    r"\b(?:reply|replying|text|txt|send|respond|msg)\s+(?:with\s+)?[\"'“‘]?"
    r"(?:stop|stopall|end|cancel|quit|unsubscribe|optout|opt[\s-]?out|revoke)\b",
    r"\b(?:stop|end|cancel|quit|unsubscribe)\s*(?:to|2)\s+"
    r"(?:opt[\s-]?out|optout|unsubscribe|end|stop|cancel|quit|unsub)",
    r"\bunsubscribe\b",
    r"\bopt[\s-]?out\b",
)


@dataclass(frozen=True)
class RestrictedTopic:
    """A restricted topic: whole words that raise it and where the restriction comes from."""

    words: frozenset[str]
    rule: str
    note: str


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


RESTRICTED_TOPICS: dict[str, RestrictedTopic] = {
    "sex": RestrictedTopic(
        _words("sex sexy xxx porn porno nude nudes escort escorts erotic onlyfans"),
        "Twilio error 30873", "SHAFT: sexual content is forbidden"),
    "hate": RestrictedTopic(
        _words("nazi nazis kkk supremacist supremacy"),
        RESTRICTED_RANGE, "SHAFT: hate speech is forbidden"),
    "alcohol": RestrictedTopic(
        _words("beer beers wine wines vodka whiskey whisky tequila rum gin liquor "
               "cocktail cocktails booze brewery bourbon champagne"),
        "Twilio error 30875", "SHAFT: alcohol needs an age gate"),
    "firearms": RestrictedTopic(
        _words("guns firearm firearms rifle rifles pistol pistols handgun handguns "
               "ammo ammunition"),
        RESTRICTED_RANGE, "SHAFT: firearms are forbidden"),
    "tobacco": RestrictedTopic(
        _words("tobacco cigarette cigarettes cigar cigars vape vapes vaping e-cig "
               "e-cigarette nicotine juul hookah"),
        "Twilio error 30878", "SHAFT: tobacco and vape are forbidden"),
    "cannabis": RestrictedTopic(
        _words("cannabis marijuana cbd thc dispensary dispensaries kush"),
        "Twilio error 30860", "cannabis and CBD are forbidden"),
    "payday_loans": RestrictedTopic(
        _words("payday cash-advance"),
        RESTRICTED_RANGE, "payday and high-risk loans are forbidden"),
    "debt_collection": RestrictedTopic(
        _words("debt-collection collection-agency debt-collector debt-relief "
               "debt-consolidation debt-forgiveness"),
        "Twilio error 30863", "third-party debt collection and debt relief are forbidden"),
    "credit_repair": RestrictedTopic(
        _words("credit-repair"),
        "Twilio error 30950", "credit repair is forbidden"),
    "gambling": RestrictedTopic(
        _words("casino casinos gambling betting sportsbook sportsbooks poker wager wagers"),
        RESTRICTED_RANGE, "gambling needs an age gate and carrier approval"),
}
