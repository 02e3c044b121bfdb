# Collapsed stacks and flame graphs: each check walks the whole
# corpus/collapsed folder at run time, so files added later are tested too.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
foreach(check oracle roundtrip svg png escaping deep damaged)
  add_test(NAME flame_${check}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tests/flame_test.py
            $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR} ${check})
endforeach()
