# Python 3.15's sampler (Tachyon): its outputs in the corpus against their
# oracles, binaries made by tachyon_writer.py read back exactly, hostile
# binaries refused in one line, a million samples read in under 0.5 s.
foreach(mode oracle synthetic hostile speed)
  add_test(NAME tachyon_${mode}
    COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_tachyon_read.py ${mode} $<TARGET_FILE:pconv>
            ${PK_SHARED_DIR}/corpus/py314-315 ${CMAKE_CURRENT_BINARY_DIR}/test-tachyon-${mode})
endforeach()
pk_test_timeout(900 tachyon_hostile tachyon_speed)
set_tests_properties(tachyon_speed PROPERTIES RUN_SERIAL TRUE ENVIRONMENT PK_TIME_SCALE=${PK_TIME_SCALE})

# The gecko writer: exact round trips, the corpus files' structure, and
# damaged gecko files refused.
foreach(mode roundtrip structure hostile)
  add_test(NAME gecko_${mode}
    COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_gecko.py ${mode} $<TARGET_FILE:pconv>
            ${PK_SHARED_DIR} ${CMAKE_CURRENT_BINARY_DIR}/test-gecko-${mode})
endforeach()
