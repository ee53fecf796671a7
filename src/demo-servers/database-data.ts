/** The demo database's tables: small, fixed, and described column by column for `get_schema`. */

export type Cell = string | number;
export type Row = Record<string, Cell>;

export interface ColumnInfo {
  name: string;
  type: 'integer' | 'text' | 'decimal' | 'date';
  description: string;
}

export interface Table {
  name: string;
  description: string;
  columns: ColumnInfo[];
  rows: readonly Row[];
}

const customers: Table = {
  name: 'customers',
  description: 'Customers of the demo shop',
  columns: [
    { name: 'id', type: 'integer', description: 'Customer id (primary key)' },
    { name: 'name', type: 'text', description: 'Full name' },
    { name: 'email', type: 'text', description: 'Email address' },
    { name: 'city', type: 'text', description: 'City' },
    { name: 'tier', type: 'text', description: 'Loyalty tier: standard, silver or gold' },
  ],
  rows: [
    { id: 1, name: 'Ada Lovelace', email: 'ada@example.com', city: 'London', tier: 'gold' },
    { id: 2, name: 'Jean Dupont', email: 'jean@example.com', city: 'Paris', tier: 'silver' },
    { id: 3, name: 'Yuki Tanaka', email: 'yuki@example.com', city: 'Tokyo', tier: 'standard' },
    { id: 4, name: 'Sam Rivera', email: 'sam@example.com', city: 'San Francisco', tier: 'gold' },
    { id: 5, name: 'Grace Hopper', email: 'grace@example.com', city: 'London', tier: 'standard' },
  ],
};

const orders: Table = {
  name: 'orders',
  description: 'Orders placed by customers',
  columns: [
    { name: 'id', type: 'integer', description: 'Order id (primary key)' },
    { name: 'customer_id', type: 'integer', description: 'References customers.id' },
    { name: 'product', type: 'text', description: 'Product name' },
    { name: 'quantity', type: 'integer', description: 'Units ordered' },
    { name: 'total', type: 'decimal', description: 'Order total in USD' },
    { name: 'status', type: 'text', description: 'pending, shipped or delivered' },
    { name: 'order_date', type: 'date', description: 'Date the order was placed (YYYY-MM-DD)' },
  ],
  rows: [
    { id: 101, customer_id: 1, product: 'Mechanical keyboard', quantity: 1, total: 129.0, status: 'delivered', order_date: '2026-11-02' },
    { id: 102, customer_id: 2, product: 'Espresso beans', quantity: 3, total: 45.75, status: 'delivered', order_date: '2026-11-10' },
    { id: 103, customer_id: 1, product: 'USB-C hub', quantity: 2, total: 79.98, status: 'shipped', order_date: '2026-11-20' },
    { id: 104, customer_id: 3, product: 'Noise-cancelling headphones', quantity: 1, total: 249.0, status: 'shipped', order_date: '2026-11-22' },
    { id: 105, customer_id: 4, product: 'Standing desk', quantity: 1, total: 499.0, status: 'pending', order_date: '2026-11-25' },
    { id: 106, customer_id: 5, product: 'Notebook set', quantity: 5, total: 32.5, status: 'pending', order_date: '2026-11-26' },
    { id: 107, customer_id: 2, product: 'Mechanical keyboard', quantity: 1, total: 129.0, status: 'pending', order_date: '2026-11-26' },
  ],
};

export const TABLES: Readonly<Record<string, Table>> = { customers, orders };
