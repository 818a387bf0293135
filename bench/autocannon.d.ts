// autocannon ships no types; the little the search bench uses.
declare module 'autocannon' {
  interface Options {
    url: string;
    connections?: number;
    overallRate?: number;
    duration?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    requests?: Array<{ setupRequest?: (req: Record<string, unknown>) => Record<string, unknown> }>;
  }
  interface Result {
    requests: { average: number; total: number };
    errors: number;
    non2xx: number;
    latency: Record<string, number>;
  }
  interface Instance extends PromiseLike<Result> {
    on(
      event: 'response',
      fn: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void,
    ): void;
  }
  function autocannon(opts: Options): Instance;
  export default autocannon;
}
