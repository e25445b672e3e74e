import { HttpException, Injectable } from '@nestjs/common';

/** The core API down for a while: every call answers 503 until the outage is lifted. */
@Injectable()
export class OpenVleOutage {
  private down = false;

  set(down: boolean): void {
    this.down = down;
  }

  get active(): boolean {
    return this.down;
  }

  check(): void {
    if (this.down) throw new HttpException({ detail: 'Service temporarily unavailable.' }, 503);
  }
}
