import { randomUUID } from 'node:crypto';
import type { MerchantActivities } from '../../activities/merchants';
import type { PingMerchantStatus } from '../../domain/merchant';
import type { Gate } from './doubles';

/**
 * Test doubles for the merchant workflow's activities (activities/merchants.ts): one
 * `MerchantDouble` per workflow, which records every call and answers from a one-merchant model of
 * Ping, unless the case scripts another answer. The names and signatures are the real activities'.
 */
export type MerchantActivityName = keyof MerchantActivities;
export type MerchantArgs<N extends MerchantActivityName> = Parameters<MerchantActivities[N]>;
export type MerchantOutput<N extends MerchantActivityName> = Awaited<ReturnType<MerchantActivities[N]>>;

export const MERCHANT_ACTIVITY_NAMES: readonly MerchantActivityName[] = ['createPingMerchant', 'getPingMerchant'];

export interface MerchantCall<N extends MerchantActivityName = MerchantActivityName> {
  name: N;
  args: MerchantArgs<N>;
  attempt: number;
  local: boolean;
}

export type MerchantAnswer<N extends MerchantActivityName> = (args: MerchantArgs<N>, call: MerchantCall<N>) => MerchantOutput<N> | Promise<MerchantOutput<N>>;

type Answers = { [N in MerchantActivityName]?: MerchantAnswer<N> };

export class MerchantDouble {
  readonly calls: MerchantCall[] = [];
  readonly pingMerchantId: string;
  /** Ping's status of the merchant: what getPingMerchant answers. */
  status: PingMerchantStatus = 'CREATED';
  private readonly answers: Answers = {};
  private readonly gates: Gate[] = [];

  constructor(readonly merchantId: string) {
    // A Guid of its own per merchant, as Ping's ids are.
    this.pingMerchantId = randomUUID();
  }

  on<N extends MerchantActivityName>(name: N, answer: MerchantAnswer<N>): this {
    (this.answers as Record<N, MerchantAnswer<N>>)[name] = answer;
    return this;
  }

  /** Ping's statuses in turn, one per read; the last one stays. */
  statuses(...sequence: PingMerchantStatus[]): this {
    return this.on('getPingMerchant', () => {
      this.status = sequence.length > 1 ? sequence.shift()! : sequence[0]!;
      return { status: this.status };
    });
  }

  /** Holds every call of `name` until the gate opens, then answers it as the double would have. */
  holdCalls<N extends MerchantActivityName>(name: N): Gate {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const gate = { opened, open };
    this.gates.push(gate);
    const answer = this.answerOf(name);
    this.on(name, async (args, call): Promise<MerchantOutput<N>> => {
      await opened;
      return await answer(args, call);
    });
    return gate;
  }

  releaseAll(): void {
    for (const gate of this.gates) gate.open();
  }

  async run<N extends MerchantActivityName>(name: N, args: MerchantArgs<N>, info: { attempt: number; local: boolean }): Promise<MerchantOutput<N>> {
    const call: MerchantCall<N> = { name, args, attempt: info.attempt, local: info.local };
    this.calls.push(call as unknown as MerchantCall);
    return await this.answerOf(name)(args, call);
  }

  callsOf<N extends MerchantActivityName>(name: N): Array<MerchantCall<N>> {
    return this.calls.filter((c) => c.name === name) as unknown as Array<MerchantCall<N>>;
  }

  names(): MerchantActivityName[] {
    return this.calls.map((c) => c.name);
  }

  async waitForCalls(name: MerchantActivityName, count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.callsOf(name).length < count) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${count} × ${name}; calls so far: ${this.names().join(', ') || 'none'}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private answerOf<N extends MerchantActivityName>(name: N): MerchantAnswer<N> {
    return (this.answers as Record<N, MerchantAnswer<N> | undefined>)[name] ?? (this.defaults[name] as unknown as MerchantAnswer<N>);
  }

  private readonly defaults: { [N in MerchantActivityName]: MerchantAnswer<N> } = {
    createPingMerchant: () => ({ pingMerchantId: this.pingMerchantId }),
    getPingMerchant: () => ({ status: this.status }),
  };
}
