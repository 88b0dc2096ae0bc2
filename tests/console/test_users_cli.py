"""`preflight users create`."""
from __future__ import annotations

import json

from preflight.models import User
from tests.console.console_helpers import login


def test_create_with_a_password_then_log_in(app, rt, ws, client):
    result = app.test_cli_runner().invoke(args=["users", "create", "--workspace", ws.id, "--email",
                                                "Officer@Acme.example", "--role", "compliance",
                                                "--password", "a long enough secret"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["email"] == "officer@acme.example" and out["role"] == "compliance" and "password" not in out
    with rt.transaction() as s:
        stored = s.get(User, out["id"]).password_hash
    assert stored.startswith("$argon2id$") and "a long enough secret" not in stored
    assert login(client, "officer@acme.example", "a long enough secret").status_code == 302


def test_create_prompts_for_the_password_twice(app, ws):
    result = app.test_cli_runner().invoke(args=["users", "create", "--workspace", ws.id, "--email",
                                                "admin@acme.example", "--role", "admin"],
                                          input="prompted secret 1\nprompted secret 1\n")
    assert result.exit_code == 0, result.output
    assert "prompted secret 1" not in result.output


def test_refusals_name_the_problem(app, ws):
    runner = app.test_cli_runner()
    short = runner.invoke(args=["users", "create", "--workspace", ws.id, "--email", "a@acme.example",
                                "--role", "admin", "--password", "short"])
    assert short.exit_code == 1 and "password: at least 12 characters" in short.output
    ok = ["users", "create", "--workspace", ws.id, "--email", "a@acme.example", "--role", "admin",
          "--password", "a long enough secret"]
    assert runner.invoke(args=ok).exit_code == 0
    dup = runner.invoke(args=ok)
    assert dup.exit_code == 1 and "already exists" in dup.output
    sender = runner.invoke(args=["users", "create", "--workspace", ws.id, "--email", "s@acme.example",
                                 "--role", "sender", "--password", "a long enough secret"])
    assert sender.exit_code == 2
    missing = runner.invoke(args=["users", "create", "--workspace", "ws_nope", "--email", "b@acme.example",
                                  "--role", "admin", "--password", "a long enough secret"])
    assert missing.exit_code == 1 and "not found" in missing.output
