"""`preflight demo`: SQLite, built-in sandbox accounts, seeded workspaces, served locally."""
from __future__ import annotations

import json
import threading
from pathlib import Path

import click
from flask import current_app

from .. import demo as demo_mod
from .. import workspaces as ws_service
from ..console.users import create_user


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=int, show_default=True)
@click.option("--sandbox-port", default=5011, type=int, show_default=True,
              help="Port of the simulated Twilio API (for other processes via PREFLIGHT_TWILIO_HOST_MAP).")
@click.option("--db", "db_file", default=None, type=click.Path(dir_okay=False),
              help="SQLite file for the demo (recreated each run). Default: instance/demo.sqlite3.")
@click.option("--seed-only", is_flag=True, help="Seed the demo database, print, and exit.")
def demo_command(host, port, sandbox_port, db_file, seed_only):
    """Run the embedded demo: nothing to set up, no Twilio account needed."""
    from werkzeug.serving import make_server

    from .. import create_app
    from ..migrate import upgrade

    base_app = current_app._get_current_object() if _has_app() else None
    instance = base_app.instance_path if base_app else None
    router = demo_mod.AccountRouterHttpClient()
    public_url = f"http://{host}:{port}"
    db_path = demo_mod.demo_database(db_file or str(Path(instance or _default_instance()) / "demo.sqlite3"))
    app = create_app({"PREFLIGHT_DATABASE_URL": f"sqlite:///{db_path}", "PREFLIGHT_PUBLIC_URL": public_url,
                      "PREFLIGHT_TWILIO_HTTP_CLIENT": router})
    rt = app.extensions["preflight"]
    upgrade(rt.settings["PREFLIGHT_DATABASE_URL"])

    names = {"acme": "Acme Outfitters", "blue": "Bluebird Bakery"}
    workspaces = {}
    with rt.transaction() as s:
        for slug, name in names.items():
            ws = ws_service.create_workspace(s, name, rt.now())
            dws = demo_mod.DemoWorkspace(slug=slug, id=ws.id, name=name)
            for role in ("admin", "compliance", "sender"):
                _key, secret = ws_service.create_key(s, ws.id, role, f"demo {role}", rt.now())
                dws.keys[role] = secret
            workspaces[slug] = dws
    with rt.transaction() as s:
        for slug, dws in workspaces.items():
            for role in ("admin", "compliance"):
                email = f"{role}@{slug}.example.com"
                create_user(s, dws.id, email, demo_mod.DEMO_PASSWORD, role, rt.now())
                dws.users[role] = email

    sandboxes = demo_mod.build_sandboxes(public_url, {slug: w.id for slug, w in workspaces.items()})
    for sb, _scenario in sandboxes.values():
        router.add(sb)
    demo_mod.wire_callbacks(app, [sb for sb, _ in sandboxes.values()], public_url)
    notes = demo_mod.seed(app, sandboxes, workspaces)

    click.echo(f"Preflight demo: database {db_path}")
    for dws in workspaces.values():
        click.echo(json.dumps({"workspace": {"id": dws.id, "name": dws.name}, "keys": dws.keys,
                               "console_users": dws.users, "console_password": demo_mod.DEMO_PASSWORD},
                              indent=2))
    for note in notes:
        click.echo(f"  - {note}")
    acme = workspaces["acme"]
    click.echo(f"""
Try next:
  curl -s {public_url}/healthz
  curl -s -H 'Authorization: Bearer {acme.keys['admin']}' {public_url}/v1/readiness-checks/latest
  curl -s -X POST -H 'Authorization: Bearer {acme.keys['sender']}' -H 'Content-Type: application/json' \\
       -d '{{"to": "+13055550122", "body": "Acme: your order shipped", "category": "informational"}}' {public_url}/v1/messages
  (the same to +14045550111 is blocked: that contact replied STOP; see its history:)
  curl -s -H 'Authorization: Bearer {acme.keys['sender']}' {public_url}/v1/contacts/+14045550111
  open {public_url}/console  (admin@acme.example.com / {demo_mod.DEMO_PASSWORD})

  While the demo runs, from another shell (same folder), a readiness check of each workspace:
  export PREFLIGHT_DATABASE_URL=sqlite:///{db_path}
  export PREFLIGHT_TWILIO_HOST_MAP=api.twilio.com=http://{host}:{sandbox_port},messaging.twilio.com=http://{host}:{sandbox_port}
  preflight check --workspace {acme.id}
  preflight check --workspace {workspaces['blue'].id}
""")
    if seed_only:
        rt.close()
        return
    stop = threading.Event()
    all_sandboxes = [sb for sb, _ in sandboxes.values()]
    demo_mod.start_callback_pump(all_sandboxes, stop)
    twilio_server = make_server(host, sandbox_port, demo_mod.MultiAccountApp(all_sandboxes), threaded=True)
    threading.Thread(target=twilio_server.serve_forever, name="sandbox-http", daemon=True).start()
    server = make_server(host, port, app, threaded=True)
    click.echo(f"Serving on {public_url}; simulated Twilio on http://{host}:{sandbox_port} (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        twilio_server.shutdown()
        server.server_close()
        rt.close()


def _has_app() -> bool:
    from flask import has_app_context

    return has_app_context()


def _default_instance() -> str:
    from .. import PROJECT_ROOT

    return str(PROJECT_ROOT / "instance")


GROUPS = [demo_command]
