add_test(NAME install COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/tests/test_install.sh ${CMAKE_BINARY_DIR} "${PK_SANITIZE}")
