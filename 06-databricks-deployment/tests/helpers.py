"""Shared by the test files: a writable copy of the bundle beside the pattern folders its tasks run."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

FOLDER = Path(__file__).resolve().parents[1]
REPO = FOLDER.parent
BUNDLE = FOLDER / "asset-bundles"
PATTERN_FOLDERS = ("03-streaming-architecture", "04-dimensional-modeling", "05-performance-optimization")


def copy_bundle(tmp_path: Path, copied: tuple[str, ...] = ()) -> Path:
    """Copy asset-bundles/ into tmp_path/repo/06-.../asset-bundles, with the pattern folders linked beside it.

    The folders named in ``copied`` get a writable copy of their ``pyproject.toml`` and ``src/`` instead of a link.
    """
    repo = tmp_path / "repo"
    target = repo / FOLDER.name / "asset-bundles"
    shutil.copytree(BUNDLE, target, ignore=shutil.ignore_patterns("__pycache__"))
    for name in PATTERN_FOLDERS:
        if name in copied:
            (repo / name).mkdir()
            shutil.copy(REPO / name / "pyproject.toml", repo / name / "pyproject.toml")
            shutil.copytree(REPO / name / "src", repo / name / "src",
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            (repo / name).symlink_to(REPO / name, target_is_directory=True)
    return target


def edit_yaml(path: Path, change: Any) -> None:
    """Load a YAML file, let ``change(document)`` edit it in place, write it back."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def replace_text(path: Path, old: str, new: str) -> None:
    """Replace one exact piece of text in a file (fails when it is not there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"expected {old!r} in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


class JobsApiServer:
    """The Jobs API 2.2 as documented (create, reset, get, list, delete, run-now, runs/get, runs/cancel),
    in memory, on a pytest-httpserver. ``run_script`` says how the next runs go: each entry is a list of
    (life_cycle_state, result_state) returned by successive ``runs/get`` calls (the last one repeats)."""

    def __init__(self, httpserver: Any):
        self.httpserver = httpserver
        self.jobs: dict[int, dict[str, Any]] = {}
        self.runs: dict[int, dict[str, Any]] = {}
        self.run_script: list[list[tuple[str, str | None]]] = []
        self.calls: list[str] = []
        self._next_id = 100
        routes = {
            ("GET", "/.well-known/databricks-config"): lambda body, args: {},
            ("POST", "/api/2.2/jobs/create"): self._create,
            ("POST", "/api/2.2/jobs/reset"): self._reset,
            ("POST", "/api/2.2/jobs/delete"): self._delete,
            ("GET", "/api/2.2/jobs/get"): self._get,
            ("GET", "/api/2.2/jobs/list"): self._list,
            ("POST", "/api/2.2/jobs/run-now"): self._run_now,
            ("GET", "/api/2.2/jobs/runs/get"): self._get_run,
            ("POST", "/api/2.2/jobs/runs/cancel"): self._cancel_run,
        }
        for (method, uri), handler in routes.items():
            httpserver.expect_request(uri, method=method).respond_with_handler(self._wrap(method, uri, handler))

    @property
    def url(self) -> str:
        return self.httpserver.url_for("/").rstrip("/")

    def _wrap(self, method: str, uri: str, handler: Any) -> Any:
        import json

        from werkzeug import Response

        def respond(request: Any) -> Any:
            if uri.startswith("/api/") and request.headers.get("Authorization") != "Bearer dapi-local-test":
                return Response(json.dumps({"error_code": "UNAUTHENTICATED", "message": "bad token"}), status=401,
                                content_type="application/json")
            self.calls.append(f"{method} {uri}")
            body = request.get_json(silent=True) or {}
            try:
                result = handler(body, request.args)
            except KeyError as missing:
                return Response(json.dumps({"error_code": "RESOURCE_DOES_NOT_EXIST",
                                            "message": f"{missing} does not exist"}), status=400,
                                content_type="application/json")
            return Response(json.dumps(result), content_type="application/json")

        return respond

    def add_job(self, settings: dict[str, Any]) -> int:
        self._next_id += 1
        self.jobs[self._next_id] = settings
        return self._next_id

    def _create(self, body: dict[str, Any], args: Any) -> dict[str, Any]:
        return {"job_id": self.add_job(body)}

    def _reset(self, body: dict[str, Any], args: Any) -> dict[str, Any]:
        if body["job_id"] not in self.jobs:
            raise KeyError(f"job {body['job_id']}")
        self.jobs[body["job_id"]] = body["new_settings"]
        return {}

    def _delete(self, body: dict[str, Any], args: Any) -> dict[str, Any]:
        del self.jobs[body["job_id"]]
        return {}

    def _get(self, body: dict[str, Any], args: Any) -> dict[str, Any]:
        job_id = int(args["job_id"])
        return {"job_id": job_id, "settings": self.jobs[job_id]}

    def _list(self, body: dict[str, Any], args: Any) -> dict[str, Any]:
        name = args.get("name")
        jobs = [{"job_id": i, "settings": {"name": s.get("name")}} for i, s in self.jobs.items()
                if name is None or s.get("name") == name]
        return {"jobs": jobs, "has_more": False}

    def _run_now(self, body: dict[str, Any], args: Any) -> dict[str, Any]:
        if body["job_id"] not in self.jobs:
            raise KeyError(f"job {body['job_id']}")
        self._next_id += 1
        script = self.run_script.pop(0) if self.run_script else [("TERMINATED", "SUCCESS")]
        self.runs[self._next_id] = {"job_id": body["job_id"], "script": script, "polls": 0, "cancelled": False}
        return {"run_id": self._next_id, "number_in_job": self._next_id}

    def _get_run(self, body: dict[str, Any], args: Any) -> dict[str, Any]:
        run_id = int(args["run_id"])
        run = self.runs[run_id]
        if run["cancelled"]:
            life_cycle, result = "TERMINATED", "CANCELED"
        else:
            life_cycle, result = run["script"][min(run["polls"], len(run["script"]) - 1)]
        run["polls"] += 1
        state: dict[str, Any] = {"life_cycle_state": life_cycle, "state_message": ""}
        if result:
            state["result_state"] = result
            if result == "FAILED":
                state["state_message"] = "Task spill_probe failed with message: exit code 1."
        return {"run_id": run_id, "job_id": run["job_id"], "state": state}

    def _cancel_run(self, body: dict[str, Any], args: Any) -> dict[str, Any]:
        self.runs[body["run_id"]]["cancelled"] = True
        return {}
