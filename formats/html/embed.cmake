# Turns the report's page sources (HTML template, CSS, JS) into one C header
# of byte arrays, so the writer carries them without reading files at run
# time.  cmake -DOUT=header -DINPUTS="name=file;..." -P embed.cmake
set(text "/* Generated from formats/html/ by embed.cmake: do not edit. */\n")
foreach(pair ${INPUTS})
  string(REPLACE "=" ";" kv "${pair}")
  list(GET kv 0 name)
  list(GET kv 1 file)
  file(READ "${file}" hex HEX)
  string(LENGTH "${hex}" hexlen)
  math(EXPR len "${hexlen} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "((0x..,){24})" "\\1\n" bytes "${bytes}")
  string(APPEND text "static const char ${name}[] = {\n${bytes}0};\n")
  string(APPEND text "#define ${name}_len ((size_t)${len})\n")
endforeach()
file(WRITE "${OUT}.tmp" "${text}")
file(RENAME "${OUT}.tmp" "${OUT}")
