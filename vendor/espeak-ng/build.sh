#!/usr/bin/env bash
# Builds espeak-ng-core.cjs + espeak-ng-core.wasm from espeak-ng's C sources with Emscripten
# (Debian bookworm: `apt-get install -y emscripten`, 3.1.6). Not part of `npm ci`: the output is
# committed beside this script. Usage:
#
#   vendor/espeak-ng/build.sh /path/to/espeak-ng-source
#
# The source must be the revision whose compiled data the engine loads, the `fork` branch of
# Echogarden's espeak-ng at b723b62cb78f7e861a1bb4408b00d49db84afeac (1.52-dev): the data in
# @echogarden/espeak-ng-emscripten's espeak-ng.data comes from it, and phondata's format must match
# the code that reads it. Only src/ of that tree is used.
set -euo pipefail
SRC=${1:?usage: build.sh ESPEAK_NG_SOURCE_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE}
# Debian's emscripten finds its JavaScript tools (acorn) where Debian installs them, not where a
# Node.js from elsewhere looks.
export NODE_PATH=${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# autotools/CMake would generate this; the build needs only these settings.
cat >"$WORK/config.h" <<'H'
#define PACKAGE_VERSION "1.52-dev"
#define HAVE_MKSTEMP 1
#define USE_ASYNC 0
#define USE_KLATT 1
#define USE_LIBPCAUDIO 0
#define USE_LIBSONIC 0
#define USE_MBROLA 0
#define USE_SPEECHPLAYER 1
H

LIB=$SRC/src/libespeak-ng
C_SOURCES=(
  common mnemonics error ieee80 compiledata compiledict dictionary encoding intonation langopts
  numbers phoneme phonemelist readclause setlengths soundicon spect ssml synthdata synthesize
  tr_languages translate translateword voices wavegen speech espeak_api klatt sPlayer
)
UCD_SOURCES=(case categories ctype proplist scripts tostring)
CXX_SOURCES=(frame speechPlayer speechWaveGenerator)

# Same include order as espeak-ng's autotools build (compat/ included, as in the JavaScript build).
CFLAGS=(-O3 -fwrapv -fno-exceptions -I"$WORK" -I"$SRC/src/include" -I"$SRC/src/include/compat"
  -I"$SRC/src/speechPlayer/include" -I"$SRC/src/ucd-tools/src/include" -I"$LIB"
  -DLIBESPEAK_NG_EXPORT=1 -DPATH_ESPEAK_DATA='"/espeak-ng-data"' -Wno-everything)

objs=()
for f in "${C_SOURCES[@]}"; do emcc "${CFLAGS[@]}" -std=gnu99 -c "$LIB/$f.c" -o "$WORK/$f.o" & objs+=("$WORK/$f.o"); done
for f in "${UCD_SOURCES[@]}"; do emcc "${CFLAGS[@]}" -c "$SRC/src/ucd-tools/src/$f.c" -o "$WORK/ucd_$f.o" & objs+=("$WORK/ucd_$f.o"); done
for f in "${CXX_SOURCES[@]}"; do em++ "${CFLAGS[@]}" -c "$SRC/src/speechPlayer/src/$f.cpp" -o "$WORK/sp_$f.o" & objs+=("$WORK/sp_$f.o"); done
wait
emcc "${CFLAGS[@]}" -c "$HERE/tandem_espeak.c" -o "$WORK/tandem_espeak.o"

EXPORTS='_tandem_init,_tandem_set_voice,_tandem_set_rate,_tandem_synth,_tandem_pcm,_tandem_pcm_length,_tandem_events,_tandem_events_length,_tandem_ipa,_malloc,_free'
em++ -O3 "${objs[@]}" "$WORK/tandem_espeak.o" -o "$OUT/espeak-ng-core.cjs" \
  -sMODULARIZE=1 -sENVIRONMENT=node -sNODEJS_CATCH_EXIT=0 -sNODEJS_CATCH_REJECTION=0 -sFORCE_FILESYSTEM=1 -sALLOW_MEMORY_GROWTH=1 \
  -sINITIAL_MEMORY=33554432 -sEXPORTED_FUNCTIONS="$EXPORTS" \
  -sEXPORTED_RUNTIME_METHODS='["FS","HEAP16","HEAP32","HEAPU8","stringToUTF8","lengthBytesUTF8","UTF8ToString"]'
ls -l "$OUT/espeak-ng-core.cjs" "$OUT/espeak-ng-core.wasm"
