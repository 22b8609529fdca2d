"""The one idiom of error tests: the exact exception class, and the argument named in backticks."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest


@contextlib.contextmanager
def raises_naming(exception: type[BaseException], argument: str) -> Iterator[pytest.ExceptionInfo]:
    """``with raises_naming(PixelsmithValueError, "size"): ...``: that class exactly, naming `argument`."""
    with pytest.raises(exception) as caught:
        yield caught
    assert type(caught.value) is exception, f"{type(caught.value).__name__} raised, {exception.__name__} expected"
    assert f"`{argument}`" in str(caught.value), f"the message does not name `{argument}`: {caught.value}"


class _CompileWatch:
    """Counts numba compilations (started, and under way now) in this process, for `time_limit`."""

    def __init__(self) -> None:
        self.started = 0
        self.active = 0
        self.listener = None

    def install(self) -> None:
        if self.listener is not None:
            return
        from numba.core import event

        watch = self

        class Listener(event.Listener):
            def on_start(self, ev):
                watch.started += 1
                watch.active += 1

            def on_end(self, ev):
                watch.active -= 1

        self.listener = Listener()
        event.register("numba:compile", self.listener)


compile_watch = _CompileWatch()


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail a call that runs `seconds` with no numba compilation under way or started meanwhile: a hang.

    A wall-clock guard must not measure the compiler (on a busy machine a first call compiles for
    longer than any hang guard), so when the alarm finds numba compiling, or finds that it compiled
    since the last look, it looks again `seconds` later (SIGALRM: tests run in the main thread).
    """
    import signal

    compile_watch.install()
    seen = compile_watch.started

    def expire(signum, frame):
        nonlocal seen
        if compile_watch.active > 0 or compile_watch.started != seen:
            seen = compile_watch.started
            signal.setitimer(signal.ITIMER_REAL, seconds)
            return
        raise TimeoutError(f"no answer within {seconds} s (compilation excluded): a hang")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# counts numba compilations in a fresh process: {code} runs after this prologue, then the list prints
_COUNTING = """
import json
from numba.core import event
compiled = []
class Count(event.Listener):
    def on_start(self, ev):
        py_func = ev.data["dispatcher"].py_func
        compiled.append(py_func.__module__ + "." + py_func.__qualname__)
    def on_end(self, ev):
        pass
event.register("numba:compile", Count())
import numpy as np, pixelsmith as ps
{code}
print(json.dumps(compiled))
"""


def compiles_in_fresh_process(code: str, cache, prebuilt: bool = False, cwd=None) -> list[str]:
    """The functions (module.qualname) a fresh Python process compiles while running `code` (numpy as np
    and pixelsmith as ps imported) with numba's cache in folder `cache`; `prebuilt=False` switches the shipped machine
    code off, so the process sees what numba alone does (issue 26)."""
    import json
    import os
    import subprocess
    import sys

    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), PIXELSMITH_PREBUILT_KERNELS="1" if prebuilt else "0")
    done = subprocess.run(
        [sys.executable, "-c", _COUNTING.format(code=code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        cwd=cwd,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def fresh_python(code: str, timeout: float = 300) -> str:
    """What `code` prints when run by a fresh Python process (nothing imported, nothing compiled yet in
    it); the test fails with the child's stderr if it fails."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()
