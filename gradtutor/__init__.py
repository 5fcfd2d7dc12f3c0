"""gradtutor: a command-line tutor and checker for backpropagation.

For scripts and notebooks:

    >>> import gradtutor
    >>> r = gradtutor.grad("q = x + y; f = q * z", {"x": -2, "y": 5, "z": -4})
    >>> r.value, r.gradients["x"]
    (-12.0, -4.0)
"""

from ._version import __version__

__all__ = ["grad", "__version__"]


def __getattr__(name):
    # Imported on first use so `import gradtutor` (and the CLI's start-up) stays cheap; then kept,
    # so that a loop calling gradtutor.grad does not import it again on every call.
    if name == "grad":
        from .autodiff.reverse import grad

        globals()["grad"] = grad
        return grad
    raise AttributeError(name)
