// Randomized mutation test of the safetensors reader (the CI stand-in for libFuzzer, see
// tests/fuzz/fuzz_safetensors.cpp): thousands of seeded byte flips, truncations, header-length
// edits and JSON-token edits of the golden PEFT file. Each mutant must either parse, with every
// tensor readable and consistent with the file size, or throw subspace::invalid_argument; any
// other exception, crash or (under ASan) out-of-bounds read fails the test.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "subspace/adapters/safetensors.hpp"
#include "subspace/core/rng.hpp"

#include "catch_compat.hpp"
#include "peft/peft_test_util.hpp"

namespace {

enum class Outcome { parsed, rejected, other };

Outcome check(const std::vector<std::uint8_t>& img) {
    try {
        const auto f = subspace::SafetensorsFile::from_buffer(img);
        std::uint64_t total = 0;
        for (const auto& t : f.tensors()) {
            total += t.end - t.begin;
            const auto v = f.flat<double>(t.name);
            if (static_cast<std::uint64_t>(v.size()) != t.numel()) return Outcome::other;
            if (t.shape.size() <= 2) {
                const auto M = f.matrix<float>(t.name);
                if (static_cast<std::uint64_t>(M.size()) != t.numel()) return Outcome::other;
            }
        }
        if (8 + f.header_size() + total != img.size()) return Outcome::other;
        return Outcome::parsed;
    } catch (const subspace::invalid_argument&) {
        return Outcome::rejected;
    } catch (...) {
        return Outcome::other;
    }
}

}  // namespace

TEST_CASE("safetensors reader survives thousands of seeded mutations of the golden file",
          "[peft][safetensors][mutation]") {
    const auto golden =
        peft_test::read_bytes(peft_test::data_path("toy_lora_adapter/adapter_model.safetensors"));
    std::uint64_t n_header = 0;
    for (int i = 7; i >= 0; --i) n_header = (n_header << 8) | golden[static_cast<std::size_t>(i)];
    REQUIRE(check(golden) == Outcome::parsed);
    subspace::RandomStream rs(20240607);
    const char* tokens[] = {"0",
                            "1",
                            "-1",
                            "99999999999999999999",
                            "4294967296",
                            "[",
                            "]",
                            "{",
                            "}",
                            ",",
                            ":",
                            "\"",
                            "\\",
                            "\\u",
                            "F16",
                            "BF16",
                            "F64",
                            "I8",
                            "null",
                            "1e3",
                            "\"dtype\"",
                            "\"shape\"",
                            "\"data_offsets\"",
                            "\xff",
                            "\xc3",
                            " "};
    int parsed = 0, rejected = 0, other = 0;
    const int n_mutants = 20000;
    for (int m = 0; m < n_mutants; ++m) {
        std::vector<std::uint8_t> img = golden;
        const int kind = static_cast<int>(rs.next_below(6));
        const int edits = 1 + static_cast<int>(rs.next_below(4));
        for (int e = 0; e < edits && !img.empty(); ++e) {
            switch (kind) {
                case 0: {  // flip bits anywhere
                    const auto p = rs.next_below(img.size());
                    img[p] ^= static_cast<std::uint8_t>(1u << rs.next_below(8));
                    break;
                }
                case 1: {  // random byte in the header
                    const auto p = 8 + rs.next_below(n_header);
                    if (p < img.size()) img[p] = static_cast<std::uint8_t>(rs.next_below(256));
                    break;
                }
                case 2:  // truncate
                    img.resize(rs.next_below(img.size()));
                    break;
                case 3: {  // header-length edits: +-small, random byte, huge
                    std::uint64_t n = 0;
                    for (int i = 7; i >= 0 && img.size() >= 8; --i)
                        n = (n << 8) | img[static_cast<std::size_t>(i)];
                    const auto r = rs.next_below(4);
                    if (r == 0) n += rs.next_below(17) - 8;
                    if (r == 1) n = rs.next_u64();
                    if (r == 2) n ^= std::uint64_t(1) << rs.next_below(64);
                    if (r == 3) n = rs.next_below(img.size() + 16);
                    for (int i = 0; i < 8 && static_cast<std::size_t>(i) < img.size(); ++i)
                        img[static_cast<std::size_t>(i)] =
                            static_cast<std::uint8_t>((n >> (8 * i)) & 0xFF);
                    break;
                }
                case 4: {  // replace a header span with a JSON token (keeps the length field
                           // honest)
                    const std::string tok =
                        tokens[rs.next_below(sizeof(tokens) / sizeof(tokens[0]))];
                    const auto p = 8 + rs.next_below(n_header);
                    const auto len = rs.next_below(6);
                    if (p + len > 8 + n_header) break;
                    std::vector<std::uint8_t> h(
                        img.begin() + 8, img.begin() + 8 + static_cast<std::ptrdiff_t>(n_header));
                    h.erase(h.begin() + static_cast<std::ptrdiff_t>(p - 8),
                            h.begin() + static_cast<std::ptrdiff_t>(p - 8 + len));
                    h.insert(h.begin() + static_cast<std::ptrdiff_t>(p - 8), tok.begin(),
                             tok.end());
                    std::vector<std::uint8_t> data(
                        img.begin() + 8 + static_cast<std::ptrdiff_t>(n_header), img.end());
                    img = peft_test::make_image(std::string(h.begin(), h.end()), data);
                    break;
                }
                default: {  // digit edits inside the header (shapes, offsets)
                    const auto p = 8 + rs.next_below(n_header);
                    if (p < img.size() && img[p] >= '0' && img[p] <= '9')
                        img[p] = static_cast<std::uint8_t>('0' + rs.next_below(10));
                    else if (p < img.size())
                        img[p] = static_cast<std::uint8_t>('0' + rs.next_below(10));
                    break;
                }
            }
        }
        switch (check(img)) {
            case Outcome::parsed:
                ++parsed;
                break;
            case Outcome::rejected:
                ++rejected;
                break;
            case Outcome::other:
                ++other;
                break;
        }
    }
    CAPTURE(parsed, rejected, other);
    REQUIRE(other == 0);
    REQUIRE(parsed + rejected == n_mutants);
    // Both outcomes occur (flips inside the data section keep the file valid).
    REQUIRE(parsed > 100);
    REQUIRE(rejected > 1000);
}
