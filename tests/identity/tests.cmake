# One identity per function and one total per input: walks the whole corpus
# (every file pconv reads), so files added later are tested too.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME identity_corpus
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_identity.py
          $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR})
pk_test_timeout(1800 identity_corpus)
