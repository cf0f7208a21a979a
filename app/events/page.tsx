import type { Metadata } from 'next';
import { TimelineView } from '@/components/events/timeline-view';

export const metadata: Metadata = { title: 'Timeline' };

export default function EventsPage() {
  return <TimelineView cluster={null} title="Timeline: every cluster" />;
}
