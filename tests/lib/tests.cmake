# Unit tests of lib/ on small hand-built profiles, and the installed library.
add_executable(test_model ${CMAKE_CURRENT_LIST_DIR}/test_model.c)
target_link_libraries(test_model PRIVATE profkit)
add_test(NAME model COMMAND test_model)

# Listings over other metrics, Python blocks in sources, merging.
add_executable(test_lines ${CMAKE_CURRENT_LIST_DIR}/test_lines.c)
target_link_libraries(test_lines PRIVATE profkit)
add_test(NAME lines COMMAND test_lines)

# cmake --install, and a program built against it with pkg-config alone.
add_test(NAME install COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_install.sh ${CMAKE_BINARY_DIR} "${PK_SANITIZE}")
