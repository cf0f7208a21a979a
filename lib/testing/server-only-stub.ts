// Stand-in for the 'server-only' package in Node (tests, CLI): importing it is allowed there.
export {};
