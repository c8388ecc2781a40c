import { api } from '../api.ts';
import { h } from '../dom.ts';
import { zone } from '../zone.ts';
import { formatCount, formatDayLabel } from '../format.ts';
import { card, pageHeader, type PageContext } from '../shell.ts';
import type { Booking } from '@voxanne/contracts/dashboard';
import { bookingItem } from './call-detail.ts';

export async function renderBookings(ctx: PageContext): Promise<void> {
  const now = new Date();
  const { bookings } = await api<{ bookings: Booking[] }>(
    `/api/bookings?from=${encodeURIComponent(now.toISOString())}`,
    { signal: ctx.signal },
  );
  const sorted = [...bookings].sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  const days = new Map<string, Booking[]>();
  for (const b of sorted) {
    const day = formatDayLabel(b.startsAt, now, zone());
    days.set(day, [...(days.get(day) ?? []), b]);
  }
  ctx.root.replaceChildren(
    pageHeader(
      'Upcoming bookings',
      `${formatCount(sorted.length)} ${sorted.length === 1 ? 'appointment' : 'appointments'} from now on`,
    ),
    sorted.length
      ? h(
          'div',
          { 'data-testid': 'bookings' },
          [...days].map(([day, list]) =>
            card(
              day,
              h(
                'ul',
                { class: 'bookings-list' },
                list.map((b) => {
                  const item = bookingItem(b, now, true);
                  if (b.callId)
                    item.append(
                      h(
                        'a',
                        {
                          class: 'booking-call',
                          href: `/dashboard/calls/${encodeURIComponent(b.callId)}`,
                          'data-link': true,
                        },
                        'View call',
                      ),
                    );
                  return item;
                }),
              ),
            ),
          ),
        )
      : card(
          null,
          h(
            'p',
            { class: 'empty', 'data-testid': 'bookings-empty' },
            'No upcoming appointments. Bookings Voxanne makes on calls appear here.',
          ),
        ),
  );
}
