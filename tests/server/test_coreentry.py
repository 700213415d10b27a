"""A core's JavaScript `PyWorker()` waits for its worker hooks (server/coreentry.py). Pages that show it:
the corpus row own/releases/js-worker-sync-2025.11.2.html and the error overlay's js-worker.html."""

from __future__ import annotations

import httpx

from desktop.server.coreentry import HOOKS_QUERY, workers_after_hooks

ENTRY = 'export{u as MPWorker,t as PyWorker,T as TYPES,e as hooks,x as whenDefined}from"./core-Ab_12.js";\n//# sourceMappingURL=core.js.map\n'


def test_the_entry_wraps_both_workers_and_keeps_every_other_export():
    served = workers_after_hooks(ENTRY, "0.7.11")
    assert served.startswith('import{t as _PyWorker,u as _MPWorker}from"./core-Ab_12.js";')
    assert 'export{T as TYPES,e as hooks,x as whenDefined}from"./core-Ab_12.js";' in served
    assert 'export const PyWorker=async(...args)=>(await _hooked("py-script"),_PyWorker(...args));' in served
    assert 'export const MPWorker=async(...args)=>(await _hooked("mpy-script"),_MPWorker(...args));' in served
    assert served.endswith("//# sourceMappingURL=core.js.map\n")


def test_cores_without_the_race_and_other_shapes_are_left_alone():
    assert workers_after_hooks(ENTRY, "0.6.12") == ENTRY  # PyWorker awaited the plugins' promise
    assert workers_after_hooks(ENTRY, "0.4.56") == ENTRY  # PyWorker awaited the plugins' promise


def test_a_0_3_entry_waits_as_a_whole_and_the_app_s_hooks_get_it_as_published(serve, tmp_path, bundle):
    """0.3 cores: PyWorker() returns the worker at once, so the entry holds back its importers instead."""
    waits = workers_after_hooks(ENTRY, "0.3.14")
    assert waits.startswith(ENTRY.split("\n")[0] + '\nawait Promise.race([customElements.whenDefined("py-script")')
    server = serve(tmp_path)
    with httpx.Client(base_url=server.origin, headers=server.auth_headers()) as client:
        served = client.get("/_runtime/pyscript-core/0.3.14/dist/core.js").text
        for_hooks = client.get(f"/_runtime/pyscript-core/0.3.14/dist/core.js?{HOOKS_QUERY}").text
    assert "await Promise.race" in served and "await" not in for_hooks
    assert workers_after_hooks("export * from './core.js';", "0.7.11") == "export * from './core.js';"
    no_workers = 'export{e as hooks}from"./core-Ab_12.js";'
    assert workers_after_hooks(no_workers, "0.7.11") == no_workers


def test_every_bundled_core_from_0_6_13_is_served_with_waiting_workers(serve, tmp_path, bundle):
    server = serve(tmp_path)
    versions = sorted(bundle.installed_versions("pyscript-core"), key=lambda v: tuple(int(p) for p in v.split(".")))
    with httpx.Client(base_url=server.origin, headers=server.auth_headers()) as client:
        for version in versions:
            served = client.get(f"/_runtime/pyscript-core/{version}/dist/core.js")
            assert served.status_code == 200, version
            published = (bundle.component_dir("pyscript-core", version) / "dist" / "core.js").read_text(encoding="utf-8")
            ordered = tuple(int(p) for p in version.split("."))
            waits = ordered >= (0, 6, 13)
            assert ('_hooked("py-script")' in served.text) is waits, version
            assert ("\nawait Promise.race" in served.text) is (ordered < (0, 4)), version
            if (0, 4) <= ordered < (0, 6, 13):
                assert served.text == published
