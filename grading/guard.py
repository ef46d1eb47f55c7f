"""The guard that runs inside a trainee's kernel before every test cell.

A trainee's code and the hidden tests share one Python process, so a notebook can try to
change what the tests rely on: redefine ``grade`` or ``check_close``, monkeypatch
``numpy.testing.assert_allclose`` or a builtin, swap a function's ``__code__``, silence
the shell's display of results or add input transformers that rewrite later cells.

:data:`INSTALL` runs first in every graded kernel, before any trainee code: it imports the
modules the tests use and snapshots them (module dictionaries, function code, the shell's
hooks). After the notebook's first cell (the locked setup cell) the grader calls
``snapshot()`` to record the names the tests use. Before every test cell it calls
``restore()``, which puts back every snapshotted object that changed and returns the list
of what it found changed, so the feedback can say so.

The guard keeps its own references to the builtins it needs, so patching builtins cannot
disable it. It raises the bar against gaming; it is not a proof: code running in the same
interpreter that deliberately reverse-engineers the guard could still defeat it. The
sandbox limits any such notebook to its own score, and every notebook where the guard
restored something is flagged in the feedback and the cohort report.
"""

from __future__ import annotations

# names of the modules whose contents the tests rely on
WATCHED = (
    "builtins",
    "math",
    "numpy",
    "numpy.testing",
    "pandas",
    "pandas.testing",
    "course.kit",
    "sim",
    "sim.kpi",
    "sim.policies",
)
# classes whose methods the tests rely on (module, attribute)
WATCHED_CLASSES = (
    ("pandas", "DataFrame"),
    ("pandas", "Series"),
    ("sim.results", "Results"),
    ("course.kit", "CheckFailed"),
)

INSTALL = r"""
def __grader_install(watched, watched_classes):
    import builtins as _b
    import importlib as _il
    import sys as _sys
    import types as _types

    _getattr, _setattr, _isinstance, _dict, _list = getattr, setattr, isinstance, dict, list
    _FunctionType, _sorted, _set = _types.FunctionType, sorted, set
    shell = get_ipython()  # noqa: F821
    mods, funcs, classes = {}, {}, {}
    for name in watched:
        try:
            mod = _il.import_module(name)
        except Exception:
            continue
        mods[name] = (mod, _dict(vars(mod)))
        for key, value in vars(mod).items():
            if _isinstance(value, _FunctionType):
                funcs[(name, key)] = (value, value.__code__, value.__defaults__,
                                      value.__kwdefaults__)
    for modname, clsname in watched_classes:
        try:
            cls = _getattr(_il.import_module(modname), clsname)
        except Exception:
            continue
        classes[(modname, clsname)] = (cls, _dict(vars(cls)))
    # names IPython and ipykernel themselves rebind around every execution
    trap_managed = _set(("_", "__", "___", "input", "raw_input", "get_ipython", "exit",
                         "quit", "display", "help", "__IPYTHON__"))
    shell_state = {
        "ast_node_interactivity": shell.ast_node_interactivity,
        "display_trap": shell.display_trap.hook,
        "stdout": _sys.stdout,
        "stderr": _sys.stderr,
    }
    shell_lists = {
        "input_transformers_cleanup": _list(shell.input_transformers_cleanup),
        "input_transformers_post": _list(shell.input_transformers_post),
        "ast_transformers": _list(shell.ast_transformers),
    }
    shell_methods = ("run_cell", "run_cell_async", "showtraceback", "run_ast_nodes",
                     "run_code", "transform_cell", "should_run_async")
    shell_class = {m: _getattr(type(shell), m) for m in shell_methods}
    user = {}

    def snapshot(names=None):
        for key, value in shell.user_ns.items():
            if (names is None and not key.startswith("_")) or (names and key in names):
                user[key] = value
        return _sorted(user)

    def restore():
        changed = []
        for name, (mod, saved) in mods.items():
            if _sys.modules.get(name) is not mod:
                _sys.modules[name] = mod
                changed.append(name)
            current = vars(mod)
            for key, value in saved.items():
                if name == "builtins" and key in trap_managed:
                    continue
                if current.get(key, saved) is not value:
                    current[key] = value
                    changed.append(name + "." + key)
        for (name, key), (fn, code, defaults, kwdefaults) in funcs.items():
            if fn.__code__ is not code or fn.__defaults__ is not defaults \
                    or fn.__kwdefaults__ is not kwdefaults:
                fn.__code__, fn.__defaults__, fn.__kwdefaults__ = code, defaults, kwdefaults
                changed.append(name + "." + key + ".__code__")
        for (modname, clsname), (cls, saved) in classes.items():
            current = vars(cls)
            for key, value in saved.items():
                if current.get(key, saved) is not value:
                    try:
                        _setattr(cls, key, value)
                    except Exception:
                        continue
                    changed.append(clsname + "." + key)
            for key in _set(current) - _set(saved):
                try:
                    delattr(cls, key)
                except Exception:
                    continue
                changed.append(clsname + "." + key)
        for key, value in shell_state.items():
            if key == "ast_node_interactivity":
                if shell.ast_node_interactivity != value:
                    shell.ast_node_interactivity = value
                    changed.append("shell." + key)
            elif key == "display_trap":
                if shell.display_trap.hook is not value:
                    shell.display_trap.hook = value
                    changed.append("shell.display_trap")
            elif _getattr(_sys, key) is not value:
                _setattr(_sys, key, value)
                changed.append("sys." + key)
        for key, saved in shell_lists.items():
            current = _getattr(shell, key)
            if current != saved:
                current[:] = saved
                changed.append("shell." + key)
        for m, fn in shell_class.items():
            if m in vars(shell):
                delattr(shell, m)
                changed.append("shell." + m)
            if _getattr(type(shell), m) is not fn:
                _setattr(type(shell), m, fn)
                changed.append("shell." + m)
        for key, value in user.items():
            if shell.user_ns.get(key, user) is not value:
                shell.user_ns[key] = value
                changed.append(key)
        return changed

    return snapshot, restore


__grader_snapshot, __grader_restore = __grader_install(WATCHED, WATCHED_CLASSES)
del __grader_install
"""

# The grader reads the guard's answers through ``user_expressions``; the names are
# looked up in the kernel's namespace, where INSTALL put them.
SNAPSHOT = "__grader_snapshot({names!r})"
RESTORE = "__grader_restore()"


def install_code() -> str:
    """The code that installs the guard (with the watched names filled in)."""
    return (
        f"WATCHED = {WATCHED!r}\nWATCHED_CLASSES = {WATCHED_CLASSES!r}\n"
        + INSTALL
        + ("\ndel WATCHED, WATCHED_CLASSES\n")
    )
