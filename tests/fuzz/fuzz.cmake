# One libFuzzer target per reader, plus "auto" (content detection).
# Build with CC=clang -DPK_FUZZ=ON; tests/fuzz/smoke.sh runs them briefly.
set(PK_FUZZ_READERS auto pstats callgrind collapsed austin mojo speedscope memray lprof pprof
  chrome-trace perf-script tracemalloc tachyon gecko tachyon-jsonl
  mprof memory-profiler scalene pyinstrument
  CACHE STRING "Readers with a fuzz target")
foreach(reader ${PK_FUZZ_READERS})
  add_executable(fuzz_${reader} tests/fuzz/fuzz_reader.c)
  target_compile_definitions(fuzz_${reader} PRIVATE PK_FUZZ_FORMAT="${reader}")
  target_link_options(fuzz_${reader} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz_${reader} PRIVATE profkit)
endforeach()
