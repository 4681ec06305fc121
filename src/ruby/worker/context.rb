# frozen_string_literal: true

module MotiaLikeWorker
  # The `context` of one invocation. Every call goes to Node, runs through the real context of the
  # invocation, and returns its value in the calling thread.
  class Context
    attr_reader :trace_id, :logger, :state, :streams

    def initialize(channel, invocation, trace_id)
      @channel = channel
      @invocation = invocation
      @trace_id = trace_id
      @logger = Logger.new(channel, invocation)
      @state = State.new(self)
      @streams = Streams.new(self)
    end

    def traceId
      @trace_id
    end

    # context.emit(topic: 'a', data: {...}, message_group_id: 'g') or context.emit({ 'topic' => 'a', ... })
    def emit(event = nil, **fields)
      event = (event || {}).merge(fields).to_h { |key, value| [camelize(key.to_s), value] }
      event['topic'] = event['topic'].to_s if event['topic'].is_a?(Symbol)
      unless event['topic'].is_a?(String)
        raise ArgumentError, "emit takes topic: and data:, as in context.emit(topic: 'order.placed', data: { id: 1 })"
      end

      call('emit', event)
      nil
    end

    # Runs one context call of this invocation (used by State).
    def call(method, *args)
      @channel.call(@invocation, method, args)
    end

    private

    # message_group_id -> messageGroupId, as the TypeScript context takes it.
    def camelize(key)
      key.gsub(/_([a-z])/) { Regexp.last_match(1).upcase }
    end
  end

  # context.state: values as JSON gives them back (Hashes with string keys).
  class State
    def initialize(context)
      @context = context
    end

    def get(group, key) = @context.call('state.get', group, key)
    def set(group, key, value) = @context.call('state.set', group, key, value)
    def delete(group, key) = @context.call('state.delete', group, key)
    def get_group(group) = @context.call('state.getGroup', group)
    alias getGroup get_group

    def clear(group)
      @context.call('state.clear', group)
      nil
    end
  end

  # context.streams.todo (or context.streams['todo']): each call runs on the stream in Node and
  # returns Motia's values (items as Hashes with string keys, `__motia` included).
  class Streams
    def initialize(context)
      @context = context
    end

    def [](name) = Stream.new(@context, name.to_s)

    def method_missing(name, *args)
      args.empty? && !name.end_with?('=', '?', '!') ? Stream.new(@context, name.to_s) : super
    end

    def respond_to_missing?(name, include_private = false) = !name.end_with?('=', '?', '!') || super
  end

  # One stream: get, set, delete, get_group (getGroup) and send, with Motia's arguments.
  class Stream
    def initialize(context, name)
      @context = context
      @name = name
    end

    def get(group_id, id) = @context.call('streams', @name, 'get', group_id, id)
    def set(group_id, id, data) = @context.call('streams', @name, 'set', group_id, id, data)
    def delete(group_id, id) = @context.call('streams', @name, 'delete', group_id, id)
    def get_group(group_id) = @context.call('streams', @name, 'getGroup', group_id)
    alias getGroup get_group

    # Motia's name for a custom event; it replaces Object#send on a stream, which has no other use.
    def send(channel, event)
      @context.call('streams', @name, 'send', channel, event)
      nil
    end
  end

  # context.logger: lines bound to the invocation's trace, step and flows.
  class Logger
    def initialize(channel, invocation)
      @channel = channel
      @invocation = invocation
    end

    %w[info warn error debug].each do |level|
      define_method(level) { |msg, meta = nil| @channel.log(@invocation, level, msg, meta) }
    end
    alias warning warn
  end

  # The `req` of an API handler: req.body or req['body'] or req[:body], and so on for path_params
  # (pathParams), query_params (queryParams), headers and raw_body (rawBody).
  class Request < Hash
    def initialize(fields)
      super()
      fields.each { |key, value| store(key.to_s, value) }
    end

    def [](key) = super(key.to_s)
    def fetch(key, *default, &block) = super(key.to_s, *default, &block)
    def key?(key) = super(key.to_s)
    def body = self['body']
    def headers = self['headers']
    def path_params = self['pathParams']
    def query_params = self['queryParams']
    def raw_body = self['rawBody']
    alias pathParams path_params
    alias queryParams query_params
    alias rawBody raw_body
  end
end
