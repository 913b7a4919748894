// Minimal types for the parts of autocannon the benchmarks use (the package ships none).
declare module "autocannon" {
  type Histogram = { average: number; p50: number; p99: number; total: number; mean: number };
  type Request = {
    method?: string;
    path?: string;
    setupRequest?: (req: Record<string, unknown>) => Record<string, unknown>;
  };
  type Options = { url: string; connections?: number; duration?: number; requests?: Request[] };
  type Result = {
    requests: Histogram;
    latency: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
    duration: number;
    "2xx": number;
    "4xx": number;
    "5xx": number;
  };
  function autocannon(options: Options): Promise<Result>;
  namespace autocannon {
    export type { Result };
  }
  export default autocannon;
}
