#!/usr/bin/env node
// The floor of a stdio cold start on this machine: the MCP SDK alone (no tools, no storage), started the
// way bench/peers.mjs starts the servers it compares.
import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';

serveStdio(() => new McpServer({ name: 'floor', version: '1.0.0' }, { capabilities: { tools: {} } }));
process.stdin.once('end', () => process.exit(0));
