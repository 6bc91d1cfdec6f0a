/**
 * Browser side of the MCP Apps test host (tests/mcpApp.spec.ts bundles it into the host page): loads a
 * view's HTML into a sandboxed iframe (an opaque origin, not the host's) under the spec's restrictive
 * default CSP, and connects ext-apps' AppBridge to it. The bridge's calls to the server go to functions the
 * test exposes on the page; the test process answers them with the real MCP client.
 */

import type { CallToolResult, ReadResourceResult } from '@modelcontextprotocol/client';
import type { McpUiHostContext } from '@modelcontextprotocol/ext-apps';
import { AppBridge, PostMessageTransport } from '@modelcontextprotocol/ext-apps/app-bridge';

/** Functions the test process exposes (Playwright `exposeFunction`). */
interface HostBindings {
  hostCallTool(params: unknown): Promise<CallToolResult>;
  hostReadResource(params: unknown): Promise<ReadResourceResult>;
  hostDownload(params: unknown): Promise<{ isError?: boolean }>;
  hostModelContext(params: unknown): Promise<void>;
}

const bindings = window as unknown as Window & HostBindings;

export class TestHost {
  private bridge: AppBridge | undefined;
  private iframe: HTMLIFrameElement | undefined;

  /** Replaces any loaded view with this one; resolves once the view has initialized. */
  async load(html: string, options: { resourceDomains?: string[]; context?: McpUiHostContext } = {}): Promise<void> {
    await this.bridge?.close();
    this.iframe?.remove();
    const iframe = document.createElement('iframe');
    iframe.title = 'MCP App';
    iframe.setAttribute('sandbox', 'allow-scripts');
    document.body.append(iframe);
    const bridge = new AppBridge(
      null,
      { name: 'nbs-test-host', version: '1.0.0' },
      {
        serverTools: {},
        serverResources: {},
        downloadFile: {},
        openLinks: {},
        updateModelContext: { text: {} },
        logging: {},
      },
      { hostContext: { theme: 'light', displayMode: 'inline', ...options.context } },
    );
    bridge.oncalltool = (params) => bindings.hostCallTool(params);
    bridge.onreadresource = (params) => bindings.hostReadResource(params);
    bridge.ondownloadfile = (params) => bindings.hostDownload(params);
    bridge.onupdatemodelcontext = async (params) => {
      await bindings.hostModelContext(params);
      return {};
    };
    bridge.onopenlink = async () => ({});
    bridge.onsizechange = ({ height }) => {
      if (height) iframe.style.height = `${height}px`;
    };
    const initialized = new Promise<void>((resolve) => {
      bridge.oninitialized = () => resolve();
    });
    const view = iframe.contentWindow;
    if (!view) throw new Error('the iframe has no window');
    await bridge.connect(new PostMessageTransport(view, view));
    iframe.srcdoc = withDefaultCsp(html, options.resourceDomains ?? []);
    this.bridge = bridge;
    this.iframe = iframe;
    await initialized;
  }

  async toolInput(args: Record<string, unknown>): Promise<void> {
    await this.connected().sendToolInput({ arguments: args });
  }

  async toolResult(result: CallToolResult): Promise<void> {
    await this.connected().sendToolResult(result);
  }

  setContext(context: McpUiHostContext): void {
    this.connected().setHostContext(context);
  }

  private connected(): AppBridge {
    if (!this.bridge) throw new Error('no view loaded');
    return this.bridge;
  }
}

/** The CSP the MCP Apps spec prescribes when a resource declares no domains, plus the declared image origins. */
function withDefaultCsp(html: string, resourceDomains: string[]): string {
  const policy = [
    "default-src 'none'",
    "script-src 'self' 'unsafe-inline'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: ${resourceDomains.join(' ')}`.trim(),
    "media-src 'self' data:",
    "connect-src 'none'",
    "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'self'",
  ].join('; ');
  return html.replace(/<head([^>]*)>/i, `<head$1><meta http-equiv="Content-Security-Policy" content="${policy}">`);
}

(window as unknown as { testHost: TestHost }).testHost = new TestHost();
