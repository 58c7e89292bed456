#!/usr/bin/python3
"""Runs a Python script (argv[1:]) and prints its peak resident memory in MB on stderr as RSS_MB=<n>."""
import resource, runpy, sys
script = sys.argv[1]
sys.argv = sys.argv[1:]
try:
    runpy.run_path(script, run_name="__main__")
finally:
    sys.stdout.flush()
    sys.stderr.write("RSS_MB=%.1f\n" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
