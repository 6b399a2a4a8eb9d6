#!/usr/bin/env bash
# GPU checks of EventSnn, in one go, on a machine with one NVIDIA GPU and the .NET SDK (under 8 minutes on an H100-class GPU):
#   1. every GPU test (Tests/EventSnn.Devices.Ilgpu.Tests, trait Category=Gpu; the snnTorch models with non-uniform state_quant levels included);
#   2. CUBA 40k: the spikes on the GPU are identical to the CPU device's (same seed);
#   3. the size at which the GPU overtakes the CPU device on CUBA, from 1k to 400k neurons;
#   4. the cortical microcircuit: identical spikes at scale 0.1 (CPU device and GPU), then scale 1 on the GPU.
# Prints one JSON object per line (benchmarks' own JSON, then one summary object per check) and exits non-zero when a
# check fails. Environment: DURATION (CUBA seconds, default 1), SIZES (default "1000 4000 16000 40000 100000 400000"),
# IDENTICAL_NEURONS (default 40000), MICROCIRCUIT_SCALE (default 1), MICROCIRCUIT_SMALL_SCALE (default 0.1),
# MICROCIRCUIT_DURATION (simulated seconds, default 1), GPU (the --device of the GPU runs, default cuda; ilgpu-cpu tries the script without one).
set -uo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
duration="${DURATION:-1}"
sizes="${SIZES:-1000 4000 16000 40000 100000 400000}"
threads="$(nproc)"
identical="${IDENTICAL_NEURONS:-40000}"
gpudev="${GPU:-cuda}"
out="$(mktemp -d)"
status=0

dotnet build Simulator/EventSnn.Cli -c Release -v q -nologo >"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; echo '{"check":"build","ok":false}'; exit 1; }
eventsnn() { dotnet Simulator/EventSnn.Cli/bin/Release/net10.0/eventsnn.dll "$@"; }
field() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" <<<"$2" | tr -d '"'; }

# 1. GPU tests (they skip, saying so, when no CUDA device is found: then this check fails).
dotnet test Tests/EventSnn.Devices.Ilgpu.Tests -c Release --filter "Category=Gpu" --logger "trx;LogFileName=gpu.trx" --results-directory "$out" >"$out/test.log" 2>&1
counters=$(grep -o '<Counters [^>]*>' "$out/gpu.trx" 2>/dev/null | head -n 1)
get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
passed=$(get passed); failed=$(get failed); total=$(get total)
ok=false; [ -n "$passed" ] && [ "${failed:-1}" = 0 ] && [ "$passed" = "$total" ] && [ "$passed" -gt 0 ] && ok=true
echo "{\"check\":\"gpu_tests\",\"passed\":${passed:-0},\"failed\":${failed:-0},\"total\":${total:-0},\"ok\":$ok}"
$ok || { status=1; tail -n 40 "$out/test.log" >&2; }

# 2. CUBA 40k: identical spikes on the CPU device and the GPU.
cpu=$(eventsnn bench cuba --neurons "$identical" --duration "$duration" --threads "$threads" --device cpu --spikes "$out/cpu.csv" --json)
gpu=$(eventsnn bench cuba --neurons "$identical" --duration "$duration" --device "$gpudev" --spikes "$out/gpu.csv" --json)
echo "$cpu"; echo "$gpu"
a=$(sha256sum <"$out/cpu.csv" | cut -c1-16); b=$(sha256sum <"$out/gpu.csv" | cut -c1-16)
same=false; [ -s "$out/cpu.csv" ] && [ "$a" = "$b" ] && same=true
echo "{\"check\":\"cuba40k_identical_spikes\",\"neurons\":$identical,\"duration_s\":$duration,\"cpu_spikes\":$(field spikes "$cpu"),\"gpu_spikes\":$(field spikes "$gpu"),\"cpu_sha256\":\"$a\",\"gpu_sha256\":\"$b\",\"cpu_loop_s\":$(field loop_s "$cpu"),\"gpu_loop_s\":$(field loop_s "$gpu"),\"identical\":$same}"
$same || status=1

# 3. Crossover on CUBA: loop time of the CPU device (all cores) and of the GPU per size.
cross=null; rows=""
for n in $sizes; do
  c=$(eventsnn bench cuba --neurons "$n" --duration "$duration" --threads "$threads" --device cpu --json)
  g=$(eventsnn bench cuba --neurons "$n" --duration "$duration" --device "$gpudev" --json)
  echo "$c"; echo "$g"
  cl=$(field loop_s "$c"); gl=$(field loop_s "$g")
  rows="$rows${rows:+,}{\"neurons\":$n,\"cpu_loop_s\":${cl:-null},\"gpu_loop_s\":${gl:-null}}"
  if [ "$cross" = null ] && [ -n "$cl" ] && [ -n "$gl" ] && awk "BEGIN{exit !($gl < $cl)}"; then cross=$n; fi
done
echo "{\"check\":\"cuba_crossover\",\"duration_s\":$duration,\"cpu_threads\":$threads,\"gpu_overtakes_at_neurons\":$cross,\"sizes\":[$rows]}"

# 4. Cortical microcircuit (Potjans & Diesmann 2014): scale 0.1 spikes identical on the CPU device and the GPU, then the
#    full scale (77,169 neurons, ~0.3e9 synapses) on the GPU with DC background (the Poisson background is generated on the
#    host, one event per input spike: ~1.2e9 per simulated second at scale 1).
mc_duration="${MICROCIRCUIT_DURATION:-1}"
mc_scale="${MICROCIRCUIT_SCALE:-1}"
mc_small="${MICROCIRCUIT_SMALL_SCALE:-0.1}"
c=$(eventsnn bench microcircuit --scale "$mc_small" --background dc --duration "$mc_duration" --threads "$threads" --device cpu --spikes "$out/mc-cpu.csv" --json) || status=1
g=$(eventsnn bench microcircuit --scale "$mc_small" --background dc --duration "$mc_duration" --device "$gpudev" --spikes "$out/mc-gpu.csv" --json) || status=1
echo "$c"; echo "$g"
a=$(sha256sum <"$out/mc-cpu.csv" 2>/dev/null | cut -c1-16); b=$(sha256sum <"$out/mc-gpu.csv" 2>/dev/null | cut -c1-16)
same=false; [ -s "$out/mc-cpu.csv" ] && [ "$a" = "$b" ] && same=true
echo "{\"check\":\"microcircuit_identical_spikes\",\"scale\":$mc_small,\"cpu_sha256\":\"$a\",\"gpu_sha256\":\"$b\",\"cpu_rtf\":$(field real_time_factor "$c"),\"gpu_rtf\":$(field real_time_factor "$g"),\"identical\":$same}"
$same || status=1
m=$(eventsnn bench microcircuit --scale "$mc_scale" --background dc --duration "$mc_duration" --device "$gpudev" --json) || status=1
echo "$m"
echo "{\"check\":\"microcircuit\",\"scale\":$mc_scale,\"real_time_factor\":$(field real_time_factor "$m"),\"setup_s\":$(field setup_s "$m"),\"bytes_per_synapse\":$(field bytes_per_synapse "$m"),\"max_rate_deviation\":$(field max_rate_deviation "$m")}"

rm -rf "$out"
exit $status
