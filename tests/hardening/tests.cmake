# Hostile and damaged inputs, findings of the fuzzers, writers' escaping and
# leaks (docs/fuzzing.md).
add_executable(test_truncate ${CMAKE_CURRENT_LIST_DIR}/test_truncate.c)
target_link_libraries(test_truncate PRIVATE profkit)
set(PK_CORPUS ${PK_SHARED_DIR}/corpus)
add_test(NAME truncate_every_offset COMMAND test_truncate
  pstats:${PK_CORPUS}/pstats/tiny.py36.cProfile.pstats
  callgrind:${PK_CORPUS}/pstats/tiny.deb311.cProfile.pstats.pyprof2calltree.callgrind
  callgrind:${PK_CORPUS}/callgrind/threaded.deb311.yappi.callgrind
  collapsed:${PK_CORPUS}/collapsed/austin37_wall_threads_py38.folded
  austin:${PK_CORPUS}/austin/a37_twin_tiny_py311.austin
  mojo:${PK_CORPUS}/austin/a37_mojo_tiny_py311.mojo
  memray:${PK_CORPUS}/memray/fork_worker.follow_fork.bin
  lprof:${PK_CORPUS}/lprof/lp_slow_line.kernprof402.lprof
  speedscope:${PK_CORPUS}/pstats/tiny.py36.cProfile.pstats
  pprof:${PK_CORPUS}/pstats/tiny.py36.cProfile.pstats)
add_test(NAME fuzz_regressions COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_fuzz_regressions.sh
  $<TARGET_FILE_DIR:pconv> ${CMAKE_CURRENT_SOURCE_DIR})
add_test(NAME hostile COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_hostile.py
  $<TARGET_FILE_DIR:pconv> ${CMAKE_CURRENT_SOURCE_DIR})
set_tests_properties(hostile PROPERTIES ENVIRONMENT PK_TIME_SCALE=${PK_TIME_SCALE})
add_test(NAME escaping COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_escaping.py
  $<TARGET_FILE_DIR:pconv>)
add_test(NAME leaks COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_leaks.sh
  $<TARGET_FILE_DIR:pconv> ${CMAKE_CURRENT_SOURCE_DIR} ${PK_SHARED_DIR})
pk_test_timeout(1500 leaks)
pk_test_timeout(600 truncate_every_offset)
add_test(NAME budget COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_budget.py
  $<TARGET_FILE_DIR:pconv> ${CMAKE_CURRENT_SOURCE_DIR} ${PK_SHARED_DIR})
pk_test_timeout(600 budget)
