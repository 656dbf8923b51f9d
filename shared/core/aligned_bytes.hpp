// Heap memory aligned for direct I/O: O_DIRECT needs the buffer, not only the file offset, on a
// block boundary, and malloc's large blocks sit 16 bytes past a page boundary.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>

namespace xfer {

inline constexpr size_t direct_io_alignment = 4096;

struct aligned_free {
    void operator()(uint8_t* memory) const noexcept { std::free(memory); }
};
using aligned_bytes = std::unique_ptr<uint8_t[], aligned_free>;

// `size` bytes (rounded up to the alignment), uninitialised; throws std::bad_alloc.
inline aligned_bytes allocate_aligned(size_t size, size_t alignment = direct_io_alignment) {
    const size_t rounded = (size + alignment - 1) / alignment * alignment;
    auto* memory =
        static_cast<uint8_t*>(std::aligned_alloc(alignment, rounded == 0 ? alignment : rounded));
    if (memory == nullptr) throw std::bad_alloc();
    return aligned_bytes(memory);
}

}  // namespace xfer
