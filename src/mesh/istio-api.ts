// The parts of Istio's API types that more than one stage reads (networking.istio.io/v1 VirtualService).

export interface IstioStringMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
}

export interface HttpMatchRequest {
  name?: string;
  uri?: IstioStringMatch;
  scheme?: IstioStringMatch;
  method?: IstioStringMatch;
  authority?: IstioStringMatch;
  headers?: Record<string, IstioStringMatch>;
  withoutHeaders?: Record<string, IstioStringMatch>;
  queryParams?: Record<string, IstioStringMatch>;
  port?: number;
  sourceLabels?: Record<string, string>;
  gateways?: string[];
  ignoreUriCase?: boolean;
  sourceNamespace?: string;
  statPrefix?: string;
}
