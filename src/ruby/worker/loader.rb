# frozen_string_literal: true

module MotiaLikeWorker
  # A load the worker answers with an error: kind `syntax`, `import`, `config` or `setup`.
  class LoadFailure < StandardError
    attr_reader :kind, :line

    def initialize(kind, message, line = nil)
      super(message)
      @kind = kind
      @line = line
    end
  end

  # Loads step files, each version into its own anonymous module, so two files that both define
  # `handler` (or `config`, or a constant) never see each other's.
  class Loader
    KEPT_VERSIONS = 2
    JSON_SCALARS = [NilClass, TrueClass, FalseClass, Integer, String].freeze

    def initialize(project_dir, setup_error)
      @steps = {}
      @generation = 0
      @setup_error = setup_error
      @helper_roots = project_dir ? %w[steps src].map { |root| File.join(project_dir, root) + File::SEPARATOR } : []
    end

    # Loads one version of a step file; answers its config as JSON and whether it has a handler.
    def load(message)
      raise @setup_error if @setup_error

      file = message['file']
      renew(message.fetch('generation', 0))
      step = evaluate(file, message['source'])
      versions = (@steps[file] ||= {})
      versions.delete(message['version'])
      versions[message['version']] = step
      versions.delete(versions.keys.first) while versions.size > KEPT_VERSIONS
      config = step.respond_to?(:config) ? read_config(step, file) : nil
      { config: config, hasHandler: step.respond_to?(:handler) }
    end

    # The object whose methods are the step's `def`s, or nil when that version is not loaded.
    def step(file, version)
      @steps.dig(file, version)
    end

    def reloading? = @generation.positive?

    private

    # A new reload generation: the project's helper files are required afresh.
    def renew(generation)
      return unless generation > @generation

      @generation = generation
      $LOADED_FEATURES.reject! do |path|
        @helper_roots.any? { |root| path.start_with?(root) } && !path.include?('/.') && !path.include?('/vendor/')
      end
    end

    def evaluate(file, source)
      namespace = Module.new
      Thread.current.thread_variable_set(:motia_loading, file)
      namespace.module_eval(source, file, 1)
      Object.new.extend(namespace)
    rescue SyntaxError => e
      raise LoadFailure.new('syntax', *syntax_detail(e, file))
    rescue Exception => e
      raise LoadFailure.new('import', describe_load_error(e), line_in(e, file))
    ensure
      Thread.current.thread_variable_set(:motia_loading, nil)
    end

    # "file:4: syntax error, unexpected ..." (Ruby 3.0-3.2) or "file:4: syntax errors found" with a
    # caret line per error (Prism, 3.3+).
    def syntax_detail(error, file)
      text = error.message
      match = /^#{Regexp.escape(file)}:(\d+): (.*)$/.match(text)
      detail = match ? match[2] : text.lines.first.to_s.strip
      detail = Regexp.last_match(1) if detail.include?('syntax errors found') && text =~ /\^+ (.+)$/
      ["SyntaxError: #{detail}", match && match[1].to_i]
    end

    def describe_load_error(error)
      detail = "#{error.class}: #{error.message}"
      return detail unless error.is_a?(LoadError) && error.path

      gem = error.path.split('/').first
      "#{detail} (add gem \"#{gem}\" to the project's Gemfile and run bundle install, or install the gem)"
    end

    # The line of `file` where a load-time exception was raised (the innermost frame in it).
    def line_in(error, file)
      frame = (error.backtrace || []).find { |line| line.start_with?("#{file}:") }
      frame && frame[file.length + 1..].to_i
    end

    def read_config(step, file)
      to_json_config(step.config, 'config')
    rescue LoadFailure
      raise
    rescue Exception => e
      raise LoadFailure.new('config', "config could not be read: #{e.class}: #{e.message}", line_in(e, file))
    end

    # The config as JSON: string or symbol keys become strings, symbols become strings.
    def to_json_config(value, path)
      case value
      when *JSON_SCALARS then value
      when Symbol then value.to_s
      when Float then finite_float(value, path)
      when Array then value.each_with_index.map { |item, index| to_json_config(item, "#{path}.#{index}") }
      when Hash then value.to_h { |key, item| [key.to_s, to_json_config(item, "#{path}.#{key}")] }
      else
        raise LoadFailure.new('config', "#{path} is a #{value.class}, which a Ruby step config cannot hold: " \
                                        'use Hashes, Arrays, strings, symbols, numbers, true, false and nil')
      end
    end

    def finite_float(value, path)
      return value if value.finite?

      raise LoadFailure.new('config', "#{path} is #{value}, which JSON cannot hold: use a finite number")
    end
  end
end
