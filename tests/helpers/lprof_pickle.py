"""line_profiler files without line_profiler: a LineStats instance of a
class that pickles as MODULE.LineStats, as kernprof's do."""
import sys
import types


def fake_stats(module, timings, unit):
    """timings: {(file, first line, name): [(line, hits, time in units)]}."""
    parts = module.split(".")
    for i in range(1, len(parts)):  # pickle imports the parent packages too
        sys.modules.setdefault(".".join(parts[:i]), types.ModuleType(".".join(parts[:i])))
    mod = sys.modules.setdefault(module, types.ModuleType(module))
    cls = type("LineStats", (object,), {"__module__": module})
    mod.LineStats = cls
    obj = cls()
    obj.timings = timings
    obj.unit = unit
    return obj
