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

export function fail(detail: string): never {
  throw new CheckFailed(detail);
}

export function expect(ok: boolean, detail: string): void {
  if (!ok) fail(detail);
}
