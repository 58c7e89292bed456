import { describe, expect, it } from 'vitest';
import { displaySpec, isTableSpec, splitTable, tableIdentifier } from './db-table.js';

describe('database table specs', () => {
  it('tells tables from files', () => {
    expect(isTableSpec('sqlite:crm.db?table=t')).toBe(true);
    expect(isTableSpec('postgres://u@h/db?table=t')).toBe(true);
    expect(isTableSpec('postgresql://u@h/db?table=t')).toBe(true);
    expect(isTableSpec('data/postgres.csv')).toBe(false);
  });

  it('never shows a password', () => {
    // An unencoded @ in the password: the host starts after the last one.
    expect(displaySpec('postgres://ann:s3cr@t@db.example:5432/crm?table=t')).toBe(
      'postgres://ann:***@db.example:5432/crm?table=t',
    );
    expect(displaySpec('postgresql://ann:pw@host/db')).toBe('postgresql://ann:***@host/db');
    expect(displaySpec('postgres://ann@host/db')).toBe('postgres://ann@host/db');
    expect(displaySpec('sqlite:a.db?table=t')).toBe('sqlite:a.db?table=t');
  });

  it('takes ?table= out of the connection string, wherever it stands', () => {
    expect(splitTable('sqlite:/x/crm.db?table=people', 'F')).toEqual({ base: 'sqlite:/x/crm.db', table: 'people' });
    expect(splitTable('postgres://u@h/db?sslmode=require&table=s.t', 'F')).toEqual({
      base: 'postgres://u@h/db?sslmode=require',
      table: 's.t',
    });
    expect(splitTable('postgres://u@h/db?table=t&host=/run/pg&port=5433', 'F')).toEqual({
      base: 'postgres://u@h/db?host=/run/pg&port=5433',
      table: 't',
    });
    expect(() => splitTable('postgres://u:pw@h/db', 'F')).toThrow(/^postgres:\/\/u:\*\*\*@h\/db: expected F$/);
  });

  it('accepts plain identifiers only, so a table name cannot carry SQL', () => {
    expect(tableIdentifier('scores', 'x', false)).toBe('"scores"');
    expect(tableIdentifier('crm.scores', 'x', true)).toBe('"crm"."scores"');
    expect(() => tableIdentifier('crm.scores', 'x', false)).toThrow(/letters, digits and _/);
    expect(() => tableIdentifier('a"; DROP TABLE b; --', 'x', true)).toThrow(/letters, digits and _/);
    expect(() => tableIdentifier('a.b.c', 'x', true)).toThrow(/SCHEMA\.NAME/);
  });
});
