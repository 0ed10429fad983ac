/* ProcessPrng for Wine 8.0 (Debian 12), which has no bcryptprimitives.dll: Rust's standard
 * library imports ProcessPrng from it for its random numbers (HashMap keys among them), so
 * every Rust program for Windows fails to start there with c0000135. Windows 10 and 11 ship
 * the real DLL; this one is only put into the throwaway Wine prefix of scripts/windows-check.
 * It fills the buffer from RtlGenRandom (advapi32's SystemFunction036), which Wine has.
 * Built with: x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll bcryptprimitives.c */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
  while (length > 0) {
    ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
    if (!SystemFunction036(data, chunk)) {
      /* Windows documents that ProcessPrng never fails; a Wine that cannot give randomness
       * must not hand out zeros as if it had. */
      ExitProcess(0xC0000001);
    }
    data += chunk;
    length -= chunk;
  }
  return TRUE;
}
