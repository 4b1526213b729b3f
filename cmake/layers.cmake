# The layers (README "Layout"), checked by every build: target layers_check runs
# scripts/check-layers over each layer's objects and the sources, so that a call
# into a layer a target does not link (corelink/core -> corelink/elf, btfdb/btf ->
# btfdb/index, the runtime -> anything but libc) or an include circle fails the
# build, although the static libraries would link it.  ctest layers.check runs it too.
#
# The layers, bottom up, as target:folder; what each may use is what its own
# CMakeLists.txt links (target_link_libraries), read from the target.
set(CORELINK_LAYERS
  btfdb_btf:btfdb/btf btfdb_io:btfdb/io btfdb_index:btfdb/index btfdb_db:btfdb/db btfdb_json:btfdb/json
  corelink_bundle:corelink/runtime
  corelink_core:corelink/core corelink_elf:corelink/elf corelink_ci:corelink/ci)
set(CORELINK_LAYERS_LIBC_ONLY corelink_bundle)  # the deploy runtime links nothing
# Headers a layer may include without linking that layer, as layer:header-layer:
# ci writes the bundle format the runtime reads (corelink_bundle.h), and runs none of its code.
set(CORELINK_LAYERS_HEADERS corelink_ci:corelink_bundle)

function(corelink_layers_check)
  set(_json "{\n  \"layers\": {")
  set(_sep "")
  set(_dirs "")
  set(_layers "")
  set(_objs "")
  foreach(l ${CORELINK_LAYERS})
    string(REPLACE ":" ";" l ${l})
    list(GET l 0 t)
    list(GET l 1 _dir)
    list(APPEND _layers ${t})
    list(APPEND _objs $<TARGET_OBJECTS:${t}>)
    if(t IN_LIST CORELINK_LAYERS_LIBC_ONLY)
      set(_libc true)
    else()
      set(_libc false)
    endif()
    set(_hdrs "")
    foreach(h ${CORELINK_LAYERS_HEADERS})
      if(h MATCHES "^${t}:(.*)")
        list(APPEND _hdrs ${CMAKE_MATCH_1})
      endif()
    endforeach()
    string(APPEND _json "${_sep}\n    \"${t}\": {\"dir\": \"${_dir}\", \"libc_only\": ${_libc},"
      " \"headers_of\": \"${_hdrs}\","
      " \"links\": \"$<TARGET_PROPERTY:${t},LINK_LIBRARIES>\","
      " \"objects\": \"$<TARGET_OBJECTS:${t}>\"}")
    set(_sep ",")
    string(APPEND _dirs "\"${_dir}\", ")
  endforeach()
  string(APPEND _json "\n  },\n  \"source_dirs\": [${_dirs}\"btfdb/cli\", \"corelink/cli\"]\n}\n")
  file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/layers.json CONTENT "${_json}")
  find_program(CORELINK_PYTHON3 python3 REQUIRED)
  add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/layers.ok
    COMMAND ${CORELINK_PYTHON3} ${CMAKE_SOURCE_DIR}/scripts/check-layers ${CMAKE_BINARY_DIR}/layers.json
            ${CMAKE_SOURCE_DIR}
    COMMAND ${CMAKE_COMMAND} -E touch ${CMAKE_BINARY_DIR}/layers.ok
    DEPENDS ${_layers} ${_objs} ${CMAKE_SOURCE_DIR}/scripts/check-layers ${CMAKE_BINARY_DIR}/layers.json
    COMMENT "the layers: symbols and includes (scripts/check-layers)")
  add_custom_target(layers_check ALL DEPENDS ${CMAKE_BINARY_DIR}/layers.ok)
endfunction()
