import type { Metadata } from 'next';
import { ApiDocsView } from '@/components/api-docs/api-docs-view';
import { apiEndpoints } from '@/server/api/openapi';

export const metadata: Metadata = { title: 'API' };

export default function ApiDocsPage() {
  return <ApiDocsView endpoints={apiEndpoints()} />;
}
