# What `modelgate --version` says about the build, the generated man page and shell completions,
# the install() rules and the Debian package (`cpack -G DEB` in the build folder, or
# scripts/package). Everything the binary needs at run time is inside it (rules, rule docs, YARA
# rules, the sandbox's sitecustomize): the package adds only documentation, examples and the
# Python guard, so an installed binary never looks for files next to itself or in the source tree.
include(GNUInstallDirs)

# Build facts for src/cli/version_info.cpp only (one file recompiles when they change).
file(GLOB _mg_pgo_profile ${MODELGATE_DEPS_DIR}/tree-sitter-profile/*.gcda)
if(_mg_pgo_profile)
  set(_mg_pgo "tree-sitter parser")  # scripts/bootstrap built the grammar with -fprofile-use
else()
  set(_mg_pgo "off")
endif()
if(MODELGATE_LTO)
  set(_mg_lto 1)
else()
  set(_mg_lto 0)
endif()
if(MODELGATE_SANITIZE)
  set(_mg_sanitize 1)
else()
  set(_mg_sanitize 0)
endif()
if(MODELGATE_TREE_ARENA)
  set(_mg_arena 1)
else()
  set(_mg_arena 0)
endif()
set_source_files_properties(${CMAKE_SOURCE_DIR}/src/cli/version_info.cpp DIRECTORY ${CMAKE_SOURCE_DIR}/src
  PROPERTIES COMPILE_DEFINITIONS
  "MODELGATE_BUILD_TYPE=\"${CMAKE_BUILD_TYPE}\";MODELGATE_BUILD_LTO=${_mg_lto};MODELGATE_BUILD_PGO=\"${_mg_pgo}\";MODELGATE_BUILD_SANITIZE=${_mg_sanitize};MODELGATE_BUILD_TREE_ARENA=${_mg_arena};MODELGATE_TS_PYTHON_VERSION=\"0.23.6\"")

# Man page and completions, written by the binary from its own CLI definition (src/cli/cli_export.cpp).
# The page's date honours SOURCE_DATE_EPOCH, so a release build is reproducible.
string(TIMESTAMP MODELGATE_MAN_DATE "%Y-%m-%d" UTC)
find_program(GZIP_EXECUTABLE gzip REQUIRED)
set(MODELGATE_SHELL_DIR ${CMAKE_BINARY_DIR}/share)
set(MODELGATE_MAN_PAGE ${MODELGATE_SHELL_DIR}/man/man1/modelgate.1)
set(MODELGATE_BASH_COMPLETION ${MODELGATE_SHELL_DIR}/bash-completion/completions/modelgate)
set(MODELGATE_ZSH_COMPLETION ${MODELGATE_SHELL_DIR}/zsh/vendor-completions/_modelgate)
set(MODELGATE_FISH_COMPLETION ${MODELGATE_SHELL_DIR}/fish/vendor_completions.d/modelgate.fish)
add_custom_command(
  OUTPUT ${MODELGATE_MAN_PAGE} ${MODELGATE_MAN_PAGE}.gz ${MODELGATE_BASH_COMPLETION} ${MODELGATE_ZSH_COMPLETION}
         ${MODELGATE_FISH_COMPLETION}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${MODELGATE_SHELL_DIR}/man/man1 ${MODELGATE_SHELL_DIR}/bash-completion/completions
          ${MODELGATE_SHELL_DIR}/zsh/vendor-completions ${MODELGATE_SHELL_DIR}/fish/vendor_completions.d
  COMMAND sh -c "\"$1\" manpage --date \"$2\" > \"$3\" && \"$4\" -9n -c \"$3\" > \"$3.gz\"" modelgate
          $<TARGET_FILE:modelgate> ${MODELGATE_MAN_DATE} ${MODELGATE_MAN_PAGE} ${GZIP_EXECUTABLE}
  COMMAND sh -c "\"$1\" completion bash > \"$2\" && \"$1\" completion zsh > \"$3\" && \"$1\" completion fish > \"$4\""
          modelgate $<TARGET_FILE:modelgate> ${MODELGATE_BASH_COMPLETION} ${MODELGATE_ZSH_COMPLETION} ${MODELGATE_FISH_COMPLETION}
  DEPENDS modelgate
  COMMENT "Generating modelgate(1) and the bash, zsh and fish completions"
  VERBATIM)
add_custom_target(modelgate_shell_docs ALL DEPENDS ${MODELGATE_MAN_PAGE}.gz ${MODELGATE_BASH_COMPLETION}
                  ${MODELGATE_ZSH_COMPLETION} ${MODELGATE_FISH_COMPLETION})

# Install layout (Debian's paths under CMAKE_INSTALL_PREFIX; the package uses /usr).
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
install(TARGETS modelgate RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${MODELGATE_MAN_PAGE}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${MODELGATE_BASH_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${MODELGATE_ZSH_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${MODELGATE_FISH_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
# The pure-Python guard (python/modelgate_guard), importable by Debian's python3.
install(DIRECTORY ${CMAKE_SOURCE_DIR}/python/modelgate_guard DESTINATION lib/python3/dist-packages
        FILES_MATCHING PATTERN "*.py" PATTERN "__pycache__" EXCLUDE)
# Documentation, the report and lockfile schemas, and the inert example repositories.
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/CHANGELOG.md ${CMAKE_SOURCE_DIR}/packaging/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
        FILES_MATCHING PATTERN "*.md" PATTERN "*.schema.json" PATTERN "study-sample" EXCLUDE)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/examples DESTINATION ${CMAKE_INSTALL_DOCDIR}
        PATTERN "__pycache__" EXCLUDE)

# The Debian package. Depends: is computed by dpkg-shlibdeps from the binary's shared libraries.
set(MODELGATE_PACKAGE_MAINTAINER "modelgate maintainers <maintainers@modelgate.invalid>"
    CACHE STRING "Maintainer: field of the .deb")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME modelgate)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "modelgate")
set(CPACK_PACKAGE_CONTACT ${MODELGATE_PACKAGE_MAINTAINER})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${MODELGATE_PACKAGE_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "bubblewrap")  # modelgate run; every other command works without it
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "python3, bash-completion")  # the Python guard; bash completion loader
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "scanner for the code that loading an ML model runs")
# CPack puts the summary on the first line itself; these are the extended lines (< 80 columns).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "modelgate answers, before a model is loaded from Hugging Face, ModelScope,
OpenCSG, OpenMMLab or PyTorch Hub, whether loading it runs code shipped in the
repository (trust_remote_code, torch.hub, mmengine configs, pickle), which
code, what that code does (CWE-mapped findings, load-time reachability), and whether
it is still the code that was reviewed (lockfiles, OpenSSF Model Signing). It
never executes what it scans; modelgate run executes a loading command under
bubblewrap and seccomp.")
include(CPack)
