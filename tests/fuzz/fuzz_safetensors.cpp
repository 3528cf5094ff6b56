// libFuzzer entry point for the safetensors reader and the PEFT adapter parser.
//
// Build (clang only):
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -I include -I /usr/include/eigen3
//   \
//       tests/fuzz/fuzz_safetensors.cpp -o fuzz_safetensors
//   ./fuzz_safetensors -max_total_time=60
//   tests/data/peft/toy_lora_adapter/adapter_model.safetensors
// Every input must either parse (and then every tensor converts without reading out of bounds)
// or throw subspace::invalid_argument; anything else (another exception, a crash, a sanitizer
// report) is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "subspace/adapters/peft.hpp"
#include "subspace/adapters/safetensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const auto f = subspace::SafetensorsFile::from_buffer(data, size);
        std::uint64_t total = 0;
        for (const auto& t : f.tensors()) {
            total += t.end - t.begin;
            const auto v = f.flat<float>(t.name);
            if (static_cast<std::uint64_t>(v.size()) != t.numel()) std::abort();
            if (t.shape.size() <= 2) {
                const auto M = f.matrix<double>(t.name);
                if (static_cast<std::uint64_t>(M.size()) != t.numel()) std::abort();
            }
        }
        if (8 + f.header_size() + total != size) std::abort();
        // The same bytes as a LoRA adapter (most inputs are rejected by the name checks).
        try {
            (void)subspace::parse_peft_adapter<float>("{\"peft_type\": \"LORA\", \"r\": 4}", f);
        } catch (const subspace::invalid_argument&) {
        }
    } catch (const subspace::invalid_argument&) {
    }
    return 0;
}
