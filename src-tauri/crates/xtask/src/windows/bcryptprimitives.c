/* A stand-in for Windows' bcryptprimitives.dll, which Wine 8 (Debian 12) lacks: Rust's std
 * imports ProcessPrng from it for random numbers (HashMap seeds), so without it every Rust
 * .exe exits with 53 before main. Only `cargo xtask test`'s Wine prefix gets it; Windows 10
 * and later ship the real one. */
#include <windows.h>

/* RtlGenRandom, exported by advapi32 under this name. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
