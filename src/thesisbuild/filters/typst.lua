-- typst resolves image paths from the .typ file in build/; a leading "/" means the project root,
-- which is where the chapters' relative paths start.
function Image(el)
  if not el.src:match("^%a[%w+.-]*:") and el.src:sub(1, 1) ~= "/" then
    el.src = "/" .. el.src
  end
  return el
end

-- Content meant for the DOCX only (the cover logo, which typst draws itself).
function Div(el)
  if el.classes:includes("docx-only") then
    return {}
  end
end
