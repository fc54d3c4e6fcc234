"""lrsched: explore learning-rate schedules exactly (package ``lrsched_cli``).

Python API::

    >>> from lrsched_cli import schedule
    >>> schedule("cosine", lr_max=0.1, steps=4).round(6).tolist()
    [0.1, 0.085502, 0.0505, 0.015498]
"""

__version__ = "0.1.0"
API = ("config", "dialect", "log", "recipe", "schedule", "to_torch")
__all__ = [*API, "__version__"]


def __getattr__(name: str) -> object:  # PEP 562: the API is loaded on first use
    if name in API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'lrsched_cli' has no attribute '{name}'")
