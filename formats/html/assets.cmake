# The HTML report's page (template, style, script) compiled into the library.
set(PK_HTML_DIR ${CMAKE_CURRENT_SOURCE_DIR}/formats/html)
set(PK_HTML_HEADER ${CMAKE_CURRENT_BINARY_DIR}/generated/html_assets.h)
add_custom_command(
  OUTPUT ${PK_HTML_HEADER}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/generated
  COMMAND ${CMAKE_COMMAND} -DOUT=${PK_HTML_HEADER}
          "-DINPUTS=html_template=${PK_HTML_DIR}/report.html\;html_css=${PK_HTML_DIR}/report.css\;html_js=${PK_HTML_DIR}/report.js\;html_time_js=${PK_HTML_DIR}/time.js\;html_heap_js=${PK_HTML_DIR}/heap.js\;html_calls_js=${PK_HTML_DIR}/calls.js"
          -P ${PK_HTML_DIR}/embed.cmake
  DEPENDS ${PK_HTML_DIR}/report.html ${PK_HTML_DIR}/report.css ${PK_HTML_DIR}/report.js ${PK_HTML_DIR}/time.js ${PK_HTML_DIR}/heap.js ${PK_HTML_DIR}/calls.js
          ${PK_HTML_DIR}/embed.cmake
  COMMENT "Embedding the HTML report's page")
target_sources(profkit PRIVATE ${PK_HTML_HEADER})
target_include_directories(profkit PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/generated)
