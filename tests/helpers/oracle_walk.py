"""The walk every oracle test makes over a corpus folder: each file that has
its oracle beside it is checked, one line per file, a count at the end.

    files = oracle_walk.files_with(folder, ".oracle.json")
    return oracle_walk.check_each(files, lambda f: check(...))  # the exit status
"""
import os


def files_with(folder, suffix, name_ends=""):
    """The names in folder (ending in name_ends) that have FILE + suffix beside them, sorted."""
    return sorted(f for f in os.listdir(folder)
                  if f.endswith(name_ends) and not f.endswith(suffix)
                  and os.path.exists(os.path.join(folder, f + suffix)))


def check_each(files, check):
    """check(name) gives the list of what is wrong with one file (a RuntimeError
    counts as one thing wrong). Prints ok or FAIL and the problems per file, then
    how many matched; returns 1 if any failed or there was none to check, else 0."""
    failed = 0
    for f in files:
        try:
            errs = check(f)
        except RuntimeError as e:
            errs = [str(e)]
        print(("ok   " if not errs else "FAIL ") + f)
        for e in errs:
            print("     " + e)
        failed += bool(errs)
    print(f"{len(files) - failed} of {len(files)} files match their oracle")
    return 1 if failed or not files else 0
