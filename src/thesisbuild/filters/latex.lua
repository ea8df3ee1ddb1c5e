-- Raw LaTeX in the chapters, converted before anything else reads the document.
--
-- pandoc's Markdown reader keeps LaTeX it meets (\begin{longtable}...\end{longtable}, \ref{x},
-- \textit{x}, \newpage) as raw "tex" elements, which the typst and DOCX writers drop. Here each one
-- is read again with pandoc's LaTeX reader and the result is spliced in its place:
--   * tables and figures keep their \caption and \label (the label becomes the identifier, so they
--     are numbered and referenced like Markdown ones);
--   * \ref{x} (also \autoref, \cref, \pageref is not supported) becomes a cross-reference that
--     prints the number only: "Gambar \ref{fig:x}" reads "Gambar 1.1" (crossref.lua resolves it);
--   * \label{x} in a heading, a caption or an equation names that element;
--   * \newpage, \clearpage and \pagebreak become page breaks in both outputs;
--   * layout hints the template decides itself (\noindent, \centering, \vspace, ...) are dropped.
-- What the LaTeX reader leaves raw cannot be rendered: it is kept visible as code, and the lint
-- (TEX001) and the build report it at its source line.

local PAGE_BREAK = {["\\newpage"] = true, ["\\clearpage"] = true, ["\\pagebreak"] = true,
                    ["\\cleardoublepage"] = true}
-- Commands whose effect the template decides; removing them loses no content.
local HINTS = {"noindent", "centering", "raggedright", "raggedleft", "indent", "par", "smallskip",
               "medskip", "bigskip", "vspace%*?%b{}", "hspace%*?%b{}", "vfill", "hfill", "linebreak",
               "nolinebreak", "newline", "onehalfspacing", "doublespacing", "singlespacing",
               "small", "footnotesize", "scriptsize", "normalsize", "large", "Large", "tiny",
               "setlength%b{}%b{}", "renewcommand%b{}%b{}", "hline", "toprule", "midrule",
               "bottomrule", "label%b{}", "FloatBarrier", "phantomsection",
               "addcontentsline%b{}%b{}%b{}", "justifying", "selectfont", "setcounter%b{}%b{}",
               "pagenumbering%b{}", "pagestyle%b{}", "arraybackslash", "endfirsthead", "endhead", "endfoot",
               "endlastfoot", "tabularnewline", "cline%b{}", "hfil", "thispagestyle%b{}", "linespread%b{}", "setstretch%b{}"}

local function strip_hints(text)
  local out = text
  for _, h in ipairs(HINTS) do
    local pattern = "\\" .. h
    if h:match("%a$") then pattern = pattern .. "%f[^%a]" end
    out = out:gsub(pattern, "")
  end
  return out
end

local function is_only_hints(text)
  return strip_hints(text):match("^[%s{}]*$") ~= nil
end

-- A page break, for the output's own filter (typst.lua, docx.lua) to write.
local function page_break()
  return pandoc.Div({}, {class = "thesisbuild-pagebreak"})
end

local function label_of(text)
  return text:match("^%s*\\label%s*{([^}]*)}%s*$")
end

local function ref_of(text)
  return text:match("^%s*\\[a-zA-Z]*ref%*?%s*{([^}]*)}%s*$")
end

-- A reference that prints the target's number only; crossref.lua fills it in.
local function number_ref(target)
  return pandoc.Span({pandoc.Str(target)}, {class = "thesisbuild-ref", target = target})
end

local function is_tex(format)
  return format == "tex" or format == "latex"
end

local drop_labels = {RawInline = function(el)
  if is_tex(el.format) and label_of(el.text) then return {} end
end}
local finish   -- the filter that finishes what the LaTeX reader gives back (below)

-- Inline raw TeX as a list of inlines.
local function convert_inline(raw)
  local text = raw.text
  local target = ref_of(text)
  if target and not text:match("pageref") then return {number_ref(target)} end
  if label_of(text) or is_only_hints(text) then return {} end
  local ok, doc = pcall(pandoc.read, text, "latex+raw_tex")
  if not ok then return {pandoc.Code(text)} end
  local out = pandoc.List()
  for i, block in ipairs(doc.blocks:walk(finish):walk(drop_labels)) do
    if i > 1 then out:insert(pandoc.Space()) end
    if block.content and block.t ~= "Div" then out:extend(block.content)
    else out:insert(pandoc.Code(pandoc.utils.stringify(block))) end
  end
  -- "\LaTeX if": the space after a command belongs to the raw text; keep it in the prose.
  if #out > 0 and text:match("%s$") then out:insert(pandoc.Space()) end
  return out
end

-- Raw TeX the LaTeX reader could not convert: a ref, a label or a hint, else kept visible as code.
local function residual_inline(el)
  if label_of(el.text) then return nil end     -- taken by its figure, table or heading, then dropped
  local target = ref_of(el.text)
  if target and not el.text:match("pageref") then return {number_ref(target)} end
  if is_only_hints(el.text) then return {} end
  return {pandoc.Code(el.text)}
end

local function take_label(inlines)
  -- Removes \label{x} (raw, or the reader's empty Span with a label) and returns x.
  local found = nil
  local kept = pandoc.List()
  for _, el in ipairs(inlines) do
    local label = nil
    if el.t == "RawInline" and is_tex(el.format) then label = label_of(el.text) end
    if el.t == "Span" and el.attributes["label"] and #el.content == 0 then label = el.attributes["label"] end
    if label then found = found or label else kept:insert(el) end
  end
  while #kept > 0 and kept[#kept].t == "Space" do kept:remove(#kept) end
  return found, kept
end

local function caption_label(caption)
  local found = nil
  for _, block in ipairs(caption.long) do
    if block.content then
      local label, kept = take_label(block.content)
      found = found or label
      block.content = kept
    end
  end
  return found
end

local function Header(h)
  local label, kept = take_label(h.content)
  if label then
    h.content = kept
    h.identifier = label
  end
  return h
end

local function leftover_block(raw)
  return pandoc.CodeBlock(raw.text, {class = "latex"})
end

-- A display equation written with \label inside: $$ x = 1 \label{eq:a} $$ names the equation.
local function Math(m)
  if m.mathtype == "DisplayMath" then
    local label = m.text:match("\\label%s*{([^}]*)}")
    if label then
      m.text = m.text:gsub("\\label%s*{[^}]*}", "")
      return pandoc.Span({m}, {id = label, class = "thesisbuild-equation"})
    end
  end
end

finish = {
  Math = Math,
  RawInline = function(el)
    if is_tex(el.format) then return residual_inline(el) end
  end,
  RawBlock = function(el)
    if not is_tex(el.format) then return nil end
    local text = el.text:match("^%s*(.-)%s*$")
    if PAGE_BREAK[text] then return page_break() end
    if is_only_hints(text) then return {} end
    return leftover_block(el)
  end,
  Figure = function(fig)
    local label = caption_label(fig.caption)
    if label and fig.identifier == "" then fig.identifier = label end
    return fig
  end,
  Table = function(tbl)
    local label = caption_label(tbl.caption)
    if label and tbl.identifier == "" then tbl.identifier = label end
    -- A longtable repeats its header for later pages (\endfirsthead ... \endhead): the reader keeps
    -- the second copy as the first body row. The outputs repeat the head themselves: it goes.
    local function row_text(row)
      return table.concat(row.cells:map(function(c) return pandoc.utils.stringify(c.contents) end), "\t")
    end
    local heads = {}
    for _, row in ipairs(tbl.head.rows) do heads[row_text(row)] = true end
    local body = tbl.bodies[1]
    while body and #body.body > 0 and heads[row_text(body.body[1])] do
      body.body:remove(1)
    end
    return tbl
  end,
  Header = function(h) return Header(h) end,
  Span = function(span)
    if span.attributes["label"] and #span.content == 0 then return {} end
  end,
  Link = function(link)
    -- The LaTeX reader's own \ref: Link [reference-type=ref] [Str "1"] "#x".
    if link.attributes["reference-type"] and link.attributes["reference"] then
      return number_ref(link.attributes["reference"])
    end
  end,
}

local function lift_div_ids(blocks)
  -- The LaTeX reader wraps a labelled longtable in Div("tab:x", [Table]): give the id to the table.
  return blocks:walk({
    Div = function(div)
      if div.identifier ~= "" and #div.content == 1 and div.content[1].t == "Table"
          and div.content[1].identifier == "" then
        local tbl = div.content[1]
        tbl.identifier = div.identifier
        return tbl
      end
    end,
  })
end

local function convert_block(raw)
  local text = raw.text:match("^%s*(.-)%s*$")
  if PAGE_BREAK[text] then return page_break() end
  if is_only_hints(text) then return {} end
  local ok, doc = pcall(pandoc.read, raw.text, "latex+raw_tex")
  if not ok then return leftover_block(raw) end
  local blocks = lift_div_ids(doc.blocks)
  return blocks:walk(finish):walk(drop_labels)
end

return {
  {Header = Header, Figure = finish.Figure, Table = finish.Table, Math = Math},
  {RawBlock = function(el) if is_tex(el.format) then return convert_block(el) end end,
   RawInline = function(el) if is_tex(el.format) then return convert_inline(el) end end},
}
