add_executable(test_model tests/test_model.c)
target_link_libraries(test_model PRIVATE profkit)
add_test(NAME model COMMAND test_model)
