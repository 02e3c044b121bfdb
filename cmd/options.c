/* Every command and every option, once: --help, the man pages (built from
 * this table by cmd/man/mangen.c) and the parser (cli.c) all read it. An
 * option means the same thing on every command that takes it. */
#include "cli.h"

#include <string.h>

#define ALL PK_CMD_ALL
#define PCONV PK_CMD_PCONV
#define PFILTER PK_CMD_PFILTER
#define PTOP PK_CMD_PTOP
#define PGRAPH PK_CMD_PGRAPH
#define PDIFF PK_CMD_PDIFF
#define PLINES PK_CMD_PLINES
#define WRITERS (PCONV | PFILTER | PDIFF) /* write any format: flame graphs, HTML */
#define ROWS (PTOP | PDIFF | PLINES)      /* print rows */
#define MERGING (ALL & ~PDIFF)            /* several inputs are summed */

const pk_command pk_commands[] = {
    {PCONV, "pconv", "convert a profile of any format into any other",
     "[options] INPUT... -o OUTPUT",
     "Read a profile (pstats, callgrind, collapsed stacks, austin, MOJO, memray, "
     "line_profiler, speedscope, pprof; gzip- or LZ4-compressed too) and write it in "
     "another format: callgrind for KCachegrind, flame graphs (SVG, PNG), one offline "
     "HTML report, speedscope, pprof, folded stacks, pstats, dot, JSON.\n\n"
     "The input format is recognised by its content; the output format comes from "
     "OUTPUT's name, or -t. Several inputs are summed into one profile. The filters "
     "apply before writing.",
     NULL,
     "pconv in.pstats -o cachegrind.out\tcallgrind for KCachegrind\n"
     "pconv capture.bin -o flame.svg\tmemray capture to a flame graph of the peak\n"
     "pconv run.austin -o report.html\tone offline HTML report\n"
     "pconv in.pstats --map '/srv/app/=src/' -o cachegrind.out\tfile paths rewritten "
     "for KCachegrind's source view",
     1, 0, "expected an INPUT (several are summed)"},
    {PFILTER, "pfilter", "keep the part of a profile that matters, in its own format",
     "[options] INPUT... FILTERS [-o OUTPUT]",
     "Filter a profile and write it back: in the input's format unless OUTPUT's "
     "name or -t asks for another (to stdout without -o). At least one filter or "
     "rewrite is required: pconv converts without one.\n\n"
     "Stack profiles are filtered stack by stack (exact); graph profiles (pstats, "
     "callgrind) on their call graph, where what cannot be recomputed is marked "
     "estimated.",
     NULL,
     "pfilter in.pstats --focus 'myapp\\.' -o app.pstats\tonly what runs through myapp\n"
     "pfilter run.austin --ignore '^<frozen' -o clean.austin.folded\tfrozen importlib "
     "frames dropped",
     1, 0, "expected an INPUT (several are summed)"},
    {PTOP, "ptop", "print a profile as pstats does, sorted", "[options] PROFILE...",
     "Print the table python -m pstats prints (calls, self and cumulative values per "
     "function, sorted) for a profile of any format; with --callers and --callees "
     "also who called each function and whom it called. Names, columns and sort keys "
     "are pstats' own.",
     NULL,
     "ptop in.pstats -n 25 -s tottime\tthe 25 functions with the most own time\n"
     "ptop in.pstats --callers 'parse'\twho calls the functions matching parse\n"
     "ptop capture.bin --view leaks\tmemray: what was never freed",
     1, 0, "expected a PROFILE"},
    {PGRAPH, "pgraph", "draw the call graph of a profile", "[options] INPUT... [-o OUTPUT]",
     "Draw the call graph of a profile as gprof2dot does: a box per function (name, "
     "file:line, total %, self %, calls), an arrow per call (%, calls), coloured from "
     "blue (cold) to red (hot). Writes dot to stdout, or OUTPUT: .dot/.gv as dot, "
     ".png/.svg/.pdf laid out and rendered in-process.",
     NULL,
     "pgraph in.pstats -o graph.png\ta PNG, no dot needed\n"
     "pgraph in.pstats | dot -Tsvg -o g.svg\tdot on stdout\n"
     "pgraph in.pstats --root '^main$' --depth 3 -o g.svg\tthree calls down from main",
     1, 0, "expected an INPUT"},
    {PDIFF, "pdiff", "what changed between two profiles", "[options] BEFORE AFTER",
     "Compare two profiles of any formats measuring the same kind of thing: a table "
     "of what changed per function, and with -o the differential profile as a flame "
     "graph, folded stacks (difffolded.pl's two counts), an HTML report or any format.",
     "0 on success, 1 when --fail-above fired, 2 on any error.",
     "pdiff before.pstats after.pstats\tthe biggest changes\n"
     "pdiff a.folded b.folded -o diff.svg\ta differential flame graph\n"
     "pdiff base.pstats new.pstats --fail-above 5\tfail a CI job on a 5 % slowdown",
     2, 2, "expected BEFORE and AFTER"},
    {PLINES, "plines", "per-line values beside the source, as line_profiler prints them",
     "[options] PROFILE...",
     "Print the values of each line of each function beside its source, as python -m "
     "line_profiler does, for any profile with line detail (line_profiler's .lprof, "
     "austin, memray, callgrind positions). Several profiles are summed.",
     NULL,
     "plines run.lprof\tline_profiler's listing\n"
     "plines run.austin -n 5 --source-root src/\tthe five hottest functions, sources "
     "looked up under src/",
     1, 0, "expected at least one PROFILE"},
    {0, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL},
};

const pk_command *pk_command_by_name(const char *name)
{
    for (const pk_command *c = pk_commands; c->bit; c++)
        if (strcmp(c->name, name) == 0) return c;
    return NULL;
}

const char pk_cli_patterns_help[] =
    "PATTERN is a regular expression, searched (unanchored) in a function's name, in its "
    "file, and in pstats' \"file:line(name)\" text. A repeated filter option adds "
    "alternatives.";

#define G_IN "Input"
#define G_OUT "Output"
#define G_FILTER "Filters"
#define G_NAMES "Names and files"
#define G_PICTURE "Flame graphs and the HTML report"
#define G_TABLE "Table"
#define G_GRAPH "Call graph"
#define G_DIFF "Comparison"
#define G_LIMITS "Limits"
#define G_HELP "Help"

const pk_option pk_options[] = {
    /* ---- input ---- */
    {PK_O_FROM, 'f', "from", "FORMAT", ALL, G_IN,
     "input format, skipping detection (see --list-formats)"},
    {PK_O_METRIC, 0, "metric", "NAME", ALL, G_IN,
     "the metric shown, compared or sorted by (default: the first one)"},
    {PK_O_VIEW, 0, "view", "VIEW", ALL, G_IN, "memray: peak (default), leaks, temporary or total"},
    {PK_O_TEMPORARY_THRESHOLD, 0, "temporary-threshold", "N", ALL, G_IN,
     "memray --view temporary: freed within N allocations (default 1)"},
    {PK_O_NATIVE, 0, "native", NULL, ALL, G_IN,
     "memray --native captures: native frames (unsymbolized) under the Python ones"},
    {PK_O_THREADS, 0, "threads", NULL, ALL, G_IN,
     "keep process and thread frames at the roots of stacks"},
    {PK_O_MERGE, 0, "merge", NULL, MERGING, G_IN,
     "sum several inputs into one profile (what several inputs always do)"},
    {PK_O_VERBOSE, 'v', "verbose", NULL, ALL, G_IN, "report what was skipped while reading"},
    /* ---- output ---- */
    {PK_O_OUTPUT, 'o', "output", "FILE", PCONV | PFILTER | PGRAPH | PLINES, G_OUT,
     "where to write ('-': stdout)"},
    {PK_O_OUTPUT, 'o', "output", "FILE", PDIFF, G_OUT,
     "also write the differential profile: a flame graph (.svg, .png), folded stacks "
     "with two counts (.folded, as difffolded.pl), an HTML report (.html) or any "
     "format (-t); with -o - the table goes to stderr"},
    {PK_O_TO, 't', "to", "FORMAT", WRITERS, G_OUT,
     "output format (see --list-formats; default: from OUTPUT's name)"},
    {PK_O_TO, 't', "to", "TYPE", PGRAPH, G_OUT,
     "dot, png, svg or pdf (default: from OUTPUT's name, else dot)"},
    {PK_O_TO, 'T', "type", "TYPE", PGRAPH, G_OUT, NULL},
    {PK_O_LIST_FORMATS, 0, "list-formats", NULL, ALL, G_OUT,
     "list the formats, their file names and whether they are read and/or written"},
    {PK_O_ROWS, 'n', NULL, "N", PTOP, G_OUT,
     "rows shown: the first N functions ('all': every one)"},
    {PK_O_ROWS, 'n', NULL, "N", PDIFF, G_OUT, "rows shown (default 20; 'all': every one)"},
    {PK_O_ROWS, 'n', NULL, "N", PLINES, G_OUT,
     "only the N hottest functions (sorted by --sort; 'all': every one)"},
    {PK_O_TITLE, 0, "title", "TEXT", WRITERS | PGRAPH, G_OUT, "title of the picture"},
    {PK_O_SOURCE_ROOT, 0, "source-root", "DIR", WRITERS | PLINES, G_OUT,
     "look for sources that moved under DIR too"},
    {PK_O_EMBED_SOURCE, 0, "embed-source", NULL, WRITERS, G_OUT,
     "HTML report: embed the source of the hottest lines"},
    /* ---- filters ---- */
    {PK_O_FOCUS, 0, "focus", "PATTERN", ALL, G_FILTER,
     "keep only stacks through a matching function"},
    {PK_O_IGNORE, 0, "ignore", "PATTERN", ALL, G_FILTER, "drop stacks through a matching function"},
    {PK_O_HIDE, 0, "hide", "PATTERN", ALL, G_FILTER,
     "remove matching frames (their values go to the caller)"},
    {PK_O_SHOW, 0, "show", "PATTERN", ALL, G_FILTER, "keep only matching frames"},
    {PK_O_SHOW_FROM, 0, "show-from", "PATTERN", ALL, G_FILTER,
     "drop the frames above the highest match"},
    {PK_O_PRUNE_FROM, 0, "prune-from", "PATTERN", ALL, G_FILTER,
     "drop the frames below the first match"},
    {PK_O_ROOT, 0, "root", "PATTERN", ALL, G_FILTER,
     "only what a matching function calls, rooted there (gprof2dot's -z)"},
    {PK_O_LEAF, 0, "leaf", "PATTERN", ALL, G_FILTER,
     "only what leads to a matching function, ending there (gprof2dot's -l)"},
    {PK_O_DEPTH, 0, "depth", "N", ALL, G_FILTER,
     "keep N frames per stack (from the root or --root, or up from --leaf)"},
    {PK_O_PATH, 0, "path", "PREFIX", ALL, G_FILTER,
     "keep only functions whose file is under PREFIX"},
    {PK_O_TIME, 0, "time", "START:END", ALL, G_FILTER,
     "keep the samples and events of a window: seconds from the profile's start, either "
     "side optional (10:20, :2.5, 10:)"},
    {PK_O_THRESHOLD, 0, "threshold", "F", ALL, G_FILTER,
     "hide functions below fraction F (or N%) of the total"},
    /* ---- names ---- */
    {PK_O_STRIP_DIRS, 0, "strip-dirs", NULL, ALL, G_NAMES,
     "file names reduced to their base name (pstats' strip_dirs)"},
    {PK_O_STRIP_PREFIX, 0, "strip-prefix", "PREFIX", ALL, G_NAMES,
     "take PREFIX off file names (repeatable)"},
    {PK_O_MAP, 0, "map", "FROM=TO", ALL, G_NAMES,
     "rewrite file names: PATTERN FROM replaced by TO (\\1.. its groups; repeatable, "
     "applied in order)"},
    {PK_O_GRANULARITY, 0, "granularity", "G", ALL, G_NAMES, "one entry per function, file or line"},
    {PK_O_COLLAPSE_RECURSION, 0, "collapse-recursion", NULL, ALL, G_NAMES,
     "direct recursion shown as one frame"},
    /* ---- pictures ---- */
    {PK_O_MINWIDTH, 0, "minwidth", "WIDTH", WRITERS, G_PICTURE,
     "merge frames narrower than WIDTH: pixels (2, 2px, as flamegraph.pl) or a share of the "
     "total (0.5%; default 0.1 pixel)"},
    {PK_O_INVERTED, 0, "inverted", NULL, WRITERS, G_PICTURE, "an icicle: roots at the top"},
    {PK_O_REVERSE, 0, "reverse", NULL, WRITERS, G_PICTURE, "stacks merged from the leaf"},
    {PK_O_FLAMECHART, 0, "flamechart", NULL, WRITERS, G_PICTURE,
     "a flame chart: the samples in time order (thread after thread), frames merged only "
     "when adjacent in time (profiles with a timeline: austin, MOJO, perf script, ...)"},
    {PK_O_COLORS, 0, "colors", "PALETTE", WRITERS, G_PICTURE,
     "kind (by the frame's kind: Python, native, builtin, ...; the default), module (a hue per "
     "module), flamegraph.pl's hot, mem and io, or python (Python green, native red, builtin "
     "aqua, kernel orange)"},
    {PK_O_COLORS, 0, "colours", "PALETTE", WRITERS, G_PICTURE, NULL},
    {PK_O_COLOR_BY, 0, "color-by", "self|incl", WRITERS, G_PICTURE,
     "a differential flame graph's colour: the change of each frame's own value (self, the "
     "default, as difffolded.pl) or of its inclusive value"},
    {PK_O_COLOR_BY, 0, "colour-by", "self|incl", WRITERS, G_PICTURE, NULL},
    {PK_O_NEGATE, 0, "negate", NULL, WRITERS, G_PICTURE,
     "a differential flame graph's hues switched: red where it shrank"},
    {PK_O_COUNTNAME, 0, "countname", "NAME", WRITERS, G_PICTURE, "what the values count"},
    {PK_O_WIDTH, 0, "width", "PIXELS", WRITERS, G_PICTURE, "width (default 1200)"},
    {PK_O_HEIGHT, 0, "height", "PIXELS", WRITERS, G_PICTURE, "height of a frame (default 16)"},
    {PK_O_FONTSIZE, 0, "fontsize", "PIXELS", WRITERS, G_PICTURE, "size of the text (default 12)"},
    {PK_O_SUBTITLE, 0, "subtitle", "TEXT", WRITERS, G_PICTURE,
     "the line under the title (default: the metric and its total)"},
    {PK_O_NOTES, 0, "notes", "TEXT", WRITERS, G_PICTURE,
     "a note carried in the SVG (as flamegraph.pl) and shown in the HTML report"},
    /* ---- ptop ---- */
    {PK_O_PTOP_SORT, 's', "sort", "KEY[,KEY]", PTOP, G_TABLE,
     "sort keys, as pstats: calls (ncalls), cumulative (cumtime), filename, line, name, nfl, "
     "pcalls, stdname, time (tottime), and their unique abbreviations; and every other "
     "column: percall (tottime per call), cumpercall (cumtime per primitive call), lineno, "
     "function (default cumulative)"},
    {PK_O_CALLERS, 0, "callers", "PATTERN", PTOP, G_TABLE,
     "also print the callers of the matching functions ('' for all), as print_callers"},
    {PK_O_CALLEES, 0, "callees", "PATTERN", PTOP, G_TABLE,
     "also print whom they call, as print_callees"},
    /* ---- pgraph ---- */
    {PK_O_NODE_THRES, 0, "node-thres", "PCT", PGRAPH, G_GRAPH,
     "hide functions below PCT % of the total (default 0.5)"},
    {PK_O_EDGE_THRES, 0, "edge-thres", "PCT", PGRAPH, G_GRAPH,
     "hide calls below PCT % of the total (default 0.1)"},
    {PK_O_NODE_LABEL, 0, "node-label", "WHAT", PGRAPH, G_GRAPH,
     "a line of the node label, repeatable, in order: location, total-time, "
     "total-time-percentage, self-time, self-time-percentage, calls (default: location, "
     "total-time-percentage, self-time-percentage, calls)"},
    {PK_O_COLOR_BY, 0, "color-by", "incl|self", PGRAPH, G_GRAPH,
     "colour nodes by their inclusive (default; 'total' too) or self share"},
    {PK_O_COLOR_BY, 0, "colour-by", "incl|self", PGRAPH, G_GRAPH, NULL},
    {PK_O_WRAP, 0, "wrap", "N", PGRAPH, G_GRAPH,
     "wrap names longer than N characters (default 40, 0: never)"},
    {PK_O_COLORMAP, 'c', "colormap", "MAP", PGRAPH, G_GRAPH,
     "gprof2dot's colour maps: color (dark blue to red, the default), pink (pink to red), "
     "gray (light gray to black), bw (black, hotter thicker and larger) or print (outlined, "
     "for paper)"},
    {PK_O_SKEW, 0, "skew", "F", PGRAPH, G_GRAPH,
     "skew the colour curve as gprof2dot: below 1 more variety among the small shares, above "
     "1 less (default 1)"},
    {PK_O_SHOW_SAMPLES, 0, "show-samples", NULL, PGRAPH, G_GRAPH,
     "a line with each function's own samples (profiles that count samples)"},
    {PK_O_TOTAL, 0, "total", "METHOD", PGRAPH, G_GRAPH,
     "how totals are made, as gprof2dot: callstacks (measured: from the stacks, or the "
     "profiler's own cumulative values; the default) or callratios (self values carried up "
     "the call graph in proportion to each call's share of the callee, gprof's heuristic)"},
    {PK_O_LIST_FUNCTIONS, 0, "list-functions", "PATTERN", PGRAPH, G_GRAPH,
     "list the functions the graph would show that PATTERN matches ('+': all), hottest "
     "first, in the form the filters match (file:line(name)), and draw nothing"},
    /* ---- pdiff ---- */
    {PK_O_DIFF_SORT, 's', "sort", "KEY", PDIFF, G_DIFF,
     "the order of the rows: self (the largest change of own values first, the default), "
     "incl (of inclusive values), pct (of own values, relative; new functions first) or name"},
    {PK_O_FULL_PATHS, 0, "full-paths", NULL, PDIFF, G_DIFF,
     "match files by their whole paths (default: files of the standard library and "
     "site-packages by their path below that root, so runs under two Python versions "
     "match)"},
    {PK_O_JSON, 0, "json", NULL, PDIFF, G_DIFF, "the table as JSON"},
    {PK_O_LINES, 0, "lines", NULL, PDIFF, G_DIFF, "match functions by their first line too"},
    {PK_O_NORMALIZE, 0, "normalize", NULL, PDIFF, G_DIFF, "scale BEFORE to AFTER's total"},
    {PK_O_FAIL_ABOVE, 0, "fail-above", "PCT", PDIFF, G_DIFF,
     "exit 1 when the total grew by more than PCT %"},
    {PK_O_FAIL_ON, 0, "fail-on", "PATTERN", PDIFF, G_DIFF,
     "... or the inclusive value of a matching function did"},
    /* ---- plines ---- */
    {PK_O_LINES_SORT, 's', "sort", "KEY", PLINES, G_TABLE,
     "time (largest value first), hits, or name (file, line, name: line_profiler's "
     "order; the default without -n)"},
    {PK_O_UNIT, 'u', "unit", "SECONDS", PLINES, G_TABLE,
     "unit of the times printed (default 1e-06, as line_profiler; 'profile': the "
     "profile's own timer unit)"},
    {PK_O_SKIP_ZERO, 'z', "skip-zero", NULL, PLINES, G_TABLE,
     "leave out functions without a value (line_profiler's -z)"},
    {PK_O_SUMMARY, 'm', "summarize", NULL, PLINES, G_TABLE,
     "after the listing, a line per function with its total (line_profiler's -m)"},
    /* ---- limits, help ---- */
    {PK_O_MAX_MEMORY, 0, "max-memory", "SIZE", ALL, G_LIMITS,
     "memory one input and its model may take (K, M, G; default: half the RAM, at most 8G)"},
    {PK_O_HELP, 'h', "help", NULL, ALL, G_HELP, "this text"},
    {PK_O_VERSION, 0, "version", NULL, ALL, G_HELP, "the version"},
    {0, 0, NULL, NULL, 0, NULL, NULL},
};
