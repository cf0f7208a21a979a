// One endpoint of the API as the API page lists it (taken from the OpenAPI document).

export interface ApiParam {
  name: string;
  in: 'path' | 'query' | 'body';
  required: boolean;
  type: string;
  description: string | null;
}

export interface ApiEndpoint {
  method: string;
  path: string;
  summary: string;
  tag: string;
  role: string;
  alsoAllowed: string | null;
  params: ApiParam[];
  /** The 200 answer's schema name, or its media type when not JSON. */
  returns: string;
  /** Status codes besides 200 with their meaning. */
  statuses: { code: string; description: string }[];
}
