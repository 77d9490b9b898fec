# ct_embed_files(TARGET NAME NAMESPACE ns FUNCTION fn FILES a.sql b.sql ...)
# Generates, at build time, a .cc defining
#   std::vector<std::pair<std::string_view, std::string_view>> ns::fn()
# returning (file name, contents) pairs in the order given, and adds it to TARGET.
# Used for migrations and static assets, so they ship inside the binary.
function(ct_embed_files target)
  cmake_parse_arguments(E "" "NAMESPACE;FUNCTION" "FILES" ${ARGN})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${E_FUNCTION}_embedded.cc)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNS=${E_NAMESPACE} -DFN=${E_FUNCTION}
            "-DFILES=${E_FILES}" -P ${CMAKE_SOURCE_DIR}/cmake/EmbedFilesScript.cmake
    DEPENDS ${E_FILES} ${CMAKE_SOURCE_DIR}/cmake/EmbedFilesScript.cmake
    COMMENT "Embedding ${E_FUNCTION}"
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()
