# Every dependency comes from Debian packages, except the tree-sitter runtime and its Python
# grammar, which scripts/bootstrap unpacks from the npm registry (pinned) into build/_deps and
# compiles once.
find_package(PkgConfig REQUIRED)
pkg_check_modules(YARA REQUIRED IMPORTED_TARGET yara)
pkg_check_modules(LIBARCHIVE REQUIRED IMPORTED_TARGET libarchive)
# Hub clients (HTTP/2, connection reuse, range requests).
pkg_check_modules(LIBCURL REQUIRED IMPORTED_TARGET libcurl>=7.85)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(BZip2 REQUIRED)
find_package(LibLZMA REQUIRED)
find_package(Threads REQUIRED)
# liblz4's frame API, for joblib files written with compress="lz4".
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)
pkg_check_modules(SECCOMP REQUIRED IMPORTED_TARGET libseccomp>=2.5)  # modelgate run's syscall filter
# libhdf5 (serial flavour) and its high-level library, for H5LTopen_file_image.
pkg_check_modules(HDF5 REQUIRED IMPORTED_TARGET hdf5)
# toml++ (Debian's shared build): modelgate.toml and [tool.modelgate], with source positions for errors.
pkg_check_modules(TOMLPLUSPLUS REQUIRED IMPORTED_TARGET tomlplusplus>=3.3)
find_library(HDF5_HL_LIBRARY NAMES hdf5_hl hdf5_serial_hl HINTS ${HDF5_LIBRARY_DIRS} REQUIRED)

set(MODELGATE_DEPS_DIR ${CMAKE_SOURCE_DIR}/build/_deps CACHE PATH "Where bootstrap unpacks npm packages")
set(TS_PYTHON_DIR ${MODELGATE_DEPS_DIR}/tree-sitter-python-0.23.6)
if(NOT EXISTS ${TS_PYTHON_DIR}/libtree-sitter-python.a)
  message(FATAL_ERROR "tree-sitter-python grammar not built in ${TS_PYTHON_DIR}: run scripts/bootstrap")
endif()
set(TS_RUNTIME_DIR ${MODELGATE_DEPS_DIR}/tree-sitter-0.21.1/vendor/tree-sitter/lib)
if(NOT EXISTS ${TS_RUNTIME_DIR}/libtree-sitter.a)
  message(FATAL_ERROR "tree-sitter runtime not built in ${TS_RUNTIME_DIR}: run scripts/bootstrap")
endif()
# Every build tree links the archives scripts/bootstrap compiled.
add_library(tree_sitter STATIC IMPORTED GLOBAL)
set_target_properties(tree_sitter PROPERTIES IMPORTED_LOCATION ${TS_RUNTIME_DIR}/libtree-sitter.a)
target_include_directories(tree_sitter INTERFACE ${TS_RUNTIME_DIR}/include)
add_library(tree_sitter_python STATIC IMPORTED GLOBAL)
set_target_properties(tree_sitter_python PROPERTIES IMPORTED_LOCATION ${TS_PYTHON_DIR}/libtree-sitter-python.a)
target_link_libraries(tree_sitter_python INTERFACE tree_sitter)

set(SARIF_SCHEMA ${MODELGATE_DEPS_DIR}/_microsoft_jest-sarif-1.0.0-beta.0/lib/schemas/sarif-2.1.0-rtm.5.json)
