/**
 * How a check ends when the kernel did not behave (CheckFailed) or this machine cannot run it
 * (CheckSkipped); kept apart from the check types so the scratch mappings can fail a check too.
 */
export class CheckFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailed';
  }
}

export class CheckSkipped extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckSkipped';
  }
}

/**
 * The kernel's answer to a guard install or remove was not "done": an errno, or process_madvise
 * advising fewer bytes than asked. It is a kernel verdict, worded as one, never as guardbench's
 * own error; `code` is the errno's name when there was one (a check may expect it: EINVAL on an
 * mlock'd range).
 */
export class GuardCallRefused extends CheckFailed {
  constructor(message: string, readonly code: string | null) {
    super(message);
    this.name = 'GuardCallRefused';
  }
}

export function fail(detail: string): never {
  throw new CheckFailed(detail);
}

export function expect(ok: boolean, detail: string): void {
  if (!ok) fail(detail);
}
