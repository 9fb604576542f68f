/**
 * Something the host or the kernel lacks for booting a guest: QEMU, a static busybox, the image, a
 * module. It is the user's to install, so the CLI prints it as one line with exit code 2, like bad
 * input, and the message always names what to install or build.
 */
import { UsageError } from '../errors.js';

export class MissingPieceError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = 'MissingPieceError';
  }
}

/** The Debian/Ubuntu packages that bring each host tool. */
export const HOST_PACKAGES = {
  qemu: 'qemu-system-x86',
  busybox: 'busybox-static',
  tar: 'tar',
  xz: 'busybox-static (its unxz) or xz-utils',
  zstd: 'zstd',
} as const;
