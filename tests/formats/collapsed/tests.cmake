# Collapsed stacks and the flame graph writers (SVG, PNG): each check walks
# the whole corpus/collapsed folder at run time, so files added later are
# tested too. The PNG writer's text goes through fontconfig, whose caches live
# until exit: LeakSanitizer is told so.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
foreach(check oracle roundtrip svg png interaction escaping deep damaged estimated)
  add_test(NAME flame_${check}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_flame.py
            $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR} ${check})
  set_tests_properties(flame_${check} PROPERTIES ENVIRONMENT
    "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/tests/helpers/lsan-fontconfig.supp:print_suppressions=0")
endforeach()
# Producers' frame dialects, exact decimal counts, frameless samples,
# detection; Python 3.15's sampler files against their oracle.
add_test(NAME collapsed_dialects
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_dialects.py
          $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR})
